//go:build !cgo

package main

// callC does nothing without cgo (see cgo.go).
func callC() {}
