R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep8.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1 --lr 4e-3 --tta 1 --arch B --epochs 160"
$R --thick 0.4 --tag B-e160-thick.4
$R --ealpha 3 --tag B-e160-el3
$R --epochs 180 --tag B-e180
