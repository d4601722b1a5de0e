R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102,103,104 --out sweep5.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1 --lr 4e-3 --arch B --tta 1"
$R --epochs 160 --tag B-e160-tta
$R --epochs 80 --ens 2 --tag B-e80x2-tta
$R --epochs 55 --ens 3 --tag B-e55x3-tta
