module retain.test/pprofgen

go 1.18
