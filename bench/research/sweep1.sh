R="nice -n 19 /usr/bin/python3 exp.py --seeds 100,101,102 --out sweep1.jsonl"
$R --arch B --epochs 40 --tag B-noaug
$R --arch B --epochs 40 --ishift 1 --tag B-ishift1
$R --arch B --epochs 40 --ishift 2 --tag B-ishift2
$R --arch B --epochs 40 --rot 10 --scale 0.1 --trans 1 --tag B-aff10-.1-1
$R --arch B --epochs 40 --rot 15 --scale 0.15 --shear 10 --trans 1.5 --tag B-aff15-.15-s10-1.5
$R --arch B --epochs 40 --rot 10 --scale 0.1 --trans 1 --drop 0.3 --tag B-aff10-drop.3
$R --arch B --epochs 40 --rot 10 --scale 0.1 --trans 1 --ls 0.1 --tag B-aff10-ls.1
