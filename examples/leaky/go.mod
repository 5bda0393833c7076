module leaky

go 1.19
