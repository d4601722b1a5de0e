R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep4.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1 --epochs 80 --lr 4e-3"
$R --arch B --tag B-base
$R --arch B --ealpha 6 --tag B-el6
$R --arch B --ealpha 10 --tag B-el10
$R --arch B --lr 8e-3 --tag B-lr8e-3
$R --arch B --batch 128 --tag B-b128
$R --arch B --l2 5e-5 --tag B-l2-5e-5
$R --arch B --ls 0.2 --tag B-ls.2
$R --arch Q:32:5:64:3:128 --tag Q32-64
$R --arch B --rot 15 --tag B-rot15
