import sys,json
for fn in sys.argv[1:]:
    for l in open(fn):
        s=json.loads(l)
        t = f"  test cmp {s['test_cmp_mean']:.2f}±{s['test_cmp_std']:.2f} dig {s['test_digit_mean']:.2f}" if 'test_cmp_mean' in s else ""
        print(f"{s['tag']:30s} val {s['val_mean']:.2f} vcmp {s.get('val_cmp_mean',float('nan')):.2f} (member {s['val_member_mean']:.2f})  cpu {s['cpu_mean']:.1f}s  tflop {s['train_tflop']:.2f}{t}")
