//go:build !go1.24

// Before Go 1.24 there is no runtime.AddCleanup: no cleanup items.
package main

import "retaintest/internal/truth"

func cleanupItems() []truth.Item { return nil }

func blockCleanups() {}

func queueCleanup() []truth.Item { return nil }
