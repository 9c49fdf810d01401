package queue

import (
	"bufio"
	"context"
	"net"
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

// A server that wants a password gets AUTH first on each connection, then the command.
func TestAuthComesFirst(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("no loopback listener: %v", err)
	}
	defer listener.Close()
	got := make(chan []string, 1)
	go func() {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		rd := bufio.NewReader(conn)
		var commands []string
		for _, reply := range []string{"+OK\r\n", "+PONG\r\n"} {
			command, err := read(rd)
			if err != nil {
				return
			}
			parts := command.([]interface{})
			commands = append(commands, parts[0].(string)+" "+parts[len(parts)-1].(string))
			_, _ = conn.Write([]byte(reply))
		}
		got <- commands
	}()
	redis := NewRedis(listener.Addr().String(), "s3cret")
	if err := redis.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if commands := <-got; strings.Join(commands, ", ") != "AUTH s3cret, PING PING" {
		t.Fatalf("the server saw %v", commands)
	}
}
