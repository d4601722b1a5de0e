R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep7.jsonl --rot 10 --scale 0.1 --trans 1 --ls 0.1 --lr 4e-3 --tta 1 --arch B --epochs 160"
$R --lr 2e-3 --tag B-e160-lr2e-3
$R --lr 6e-3 --tag B-e160-lr6e-3
$R --ls 0.2 --tag B-e160-ls.2
$R --trans 1.5 --tag B-e160-tr1.5
$R --rot 12 --scale 0.15 --tag B-e160-r12-s.15
$R --arch P:32:5:48:3:128 --epochs 200 --tag P32-48-e200
