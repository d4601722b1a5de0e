/**
 * The one way to define a model: the built-in models and a user's model file both call
 * `defineModel`, which checks the spec against one schema, so a model file is held to exactly
 * what the built-in ones are.
 */
import { z } from 'zod';
import { UserError } from '../errors.js';
import { hyperSchema } from './hyper.js';
import type { ModelSpec } from './model.js';

/** A model's name: what `--models`, the summary and the figures call it. */
export const MODEL_NAME_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export const modelSpecSchema = z.strictObject({
  name: z.string().regex(MODEL_NAME_PATTERN, 'must be lower-case letters, digits and dashes, starting with a letter (at most 40)'),
  description: z.string().min(1).max(200),
  auxiliaryLoss: z.boolean(),
  /** The default recipe: learning rate and λ, and any of the recipe's optional fields. */
  hyper: hyperSchema,
  digitTowers: z.union([z.literal(1), z.literal(2)]).optional(),
  build: z.custom<ModelSpec['build']>((v) => typeof v === 'function', 'must be a function (params, recipe) => forward'),
});

/**
 * Checks `spec` and returns it unchanged; a wrong field is refused in one line naming it. The
 * name's literal type is kept, so the registry can type the built-in names.
 */
export function defineModel<const N extends string>(spec: ModelSpec & { name: N }): ModelSpec & { name: N } {
  const result = modelSpecSchema.safeParse(spec);
  if (!result.success) {
    const name = typeof (spec as { name?: unknown } | null)?.name === 'string' ? spec.name : '(unnamed)';
    const problems = result.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`);
    throw new UserError(`model ${name}: ${problems.join('; ')}`);
  }
  return spec;
}
