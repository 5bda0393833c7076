module retainbench/bigheap

go 1.19
