module seedgen

go 1.19
