package queue

import (
	"bufio"
	"strings"
	"testing"
)

func TestReadParsesReplies(t *testing.T) {
	rd := bufio.NewReader(strings.NewReader("*2\r\n$4\r\njobs\r\n$7\r\n{\"a\":1}\r\n:3\r\n$-1\r\n-ERR no\r\n"))
	pair, err := read(rd)
	if err != nil || pair.([]interface{})[1] != `{"a":1}` {
		t.Fatalf("array: %v %v", pair, err)
	}
	if n, _ := read(rd); n != int64(3) {
		t.Fatalf("integer: %v", n)
	}
	if null, _ := read(rd); null != nil {
		t.Fatalf("null: %v", null)
	}
	if _, err := read(rd); err == nil {
		t.Fatal("an error reply was not an error")
	}
}
