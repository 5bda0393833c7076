module ptrarray

go 1.19
