R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep6.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1 --lr 4e-3 --tta 1"
$R --arch C --epochs 44 --tag C-e44-tta
$R --arch Q:32:5:64:3:128 --epochs 130 --tag Q-e130-tta
$R --arch A --epochs 100 --tag A-e100-tta
$R --arch P:48:5:64:3:128 --epochs 110 --tag P48-64-e110-tta
$R --arch P:32:3:64:3:256 --epochs 160 --tag P32k3-64-fc256-e160-tta
