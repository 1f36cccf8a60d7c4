package main

import "testing"

func TestSplitSectionKeepsPipesOfTheCommand(t *testing.T) {
	got, err := splitSection("e2e|go test -bench '^Benchmark(FullSync|InventoryRestart)Binary' ./test/e2e/|0|/tmp/out.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := [4]string{"e2e", "go test -bench '^Benchmark(FullSync|InventoryRestart)Binary' ./test/e2e/", "0", "/tmp/out.txt"}
	if got != want {
		t.Errorf("splitSection = %q, want %q", got, want)
	}
	if _, err := splitSection("title|cmd|0"); err == nil {
		t.Error("a section with three fields was accepted")
	}
}
