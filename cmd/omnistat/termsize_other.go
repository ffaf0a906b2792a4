//go:build !linux

package main

import "os"

// ttyColumns is the width of the terminal f is; 0 where omnistat cannot ask (COLUMNS is used).
func ttyColumns(*os.File) int { return 0 }
