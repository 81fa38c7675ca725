module smsbench/loadgen

go 1.19
