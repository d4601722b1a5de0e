R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep2.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1"
$R --arch B --epochs 80 --tag B-e80
$R --arch A --epochs 40 --tag A-e40
$R --arch E --epochs 40 --tag E-e40
$R --arch C --epochs 40 --tag C-e40
$R --arch D --epochs 80 --tag D-e80
$R --arch B --epochs 40 --lr 1e-3 --tag B-lr1e-3
$R --arch B --epochs 40 --lr 4e-3 --tag B-lr4e-3
$R --arch B --epochs 40 --batch 32 --tag B-b32
$R --arch B --epochs 40 --rot 12 --scale 0.12 --shear 5 --trans 1 --tag B-aff12-sh5
