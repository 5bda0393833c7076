module retaintest

go 1.19
