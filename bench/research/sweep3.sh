R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep3.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1"
$R --arch B --epochs 160 --tag B-e160
$R --arch B --epochs 80 --ens 2 --tag B-e80x2
$R --arch B --epochs 80 --lr 4e-3 --tag B-e80-lr4e-3
$R --arch B --epochs 80 --tta 1 --tag B-e80-tta
$R --arch B --epochs 80 --drop 0.2 --tag B-e80-drop.2
$R --arch P:32:5:64:5:128 --epochs 60 --tag P32k5-64k5-e60
$R --arch P:24:5:48:3:128 --epochs 80 --tag P24-48-e80
