package queue

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Redis is a Queue on Redis lists: LPUSH to add, BRPOP to take (oldest first), LLEN.
// It speaks RESP over one connection, redialled after an error. Swap in a client
// library (go-redis) behind the same interface if you need pooling or TLS.
type Redis struct {
	addr     string
	password string
	mu       sync.Mutex
	conn     net.Conn
	rd       *bufio.Reader
}

// NewRedis returns a queue on the Redis server at addr (host:port). A non-empty
// password is sent with AUTH on each new connection (REDIS_PASSWORD, which the
// platform injects from a secret when Redis is a typed dependency).
func NewRedis(addr, password string) *Redis { return &Redis{addr: addr, password: password} }

// Pop implements Queue with BRPOP.
func (r *Redis) Pop(ctx context.Context, list string, timeout time.Duration) (string, bool, error) {
	seconds := strconv.FormatFloat(timeout.Seconds(), 'f', 3, 64)
	reply, err := r.do(ctx, timeout+5*time.Second, "BRPOP", list, seconds)
	if err != nil || reply == nil {
		return "", false, err
	}
	pair, ok := reply.([]interface{})
	if !ok || len(pair) != 2 {
		return "", false, fmt.Errorf("unexpected BRPOP reply %v", reply)
	}
	job, _ := pair[1].(string)
	return job, true, nil
}

// Push implements Queue with LPUSH.
func (r *Redis) Push(ctx context.Context, list, job string) error {
	_, err := r.do(ctx, 5*time.Second, "LPUSH", list, job)
	return err
}

// Len implements Queue with LLEN.
func (r *Redis) Len(ctx context.Context, list string) (int64, error) {
	reply, err := r.do(ctx, 5*time.Second, "LLEN", list)
	if err != nil {
		return 0, err
	}
	n, _ := reply.(int64)
	return n, nil
}

// Ping checks the connection (readiness).
func (r *Redis) Ping(ctx context.Context) error {
	_, err := r.do(ctx, 2*time.Second, "PING")
	return err
}

func (r *Redis) do(ctx context.Context, wait time.Duration, args ...string) (interface{}, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn == nil {
		var dialer net.Dialer
		conn, err := dialer.DialContext(ctx, "tcp", r.addr)
		if err != nil {
			return nil, err
		}
		r.conn, r.rd = conn, bufio.NewReader(conn)
		if r.password != "" {
			_ = r.conn.SetDeadline(time.Now().Add(wait))
			if _, err := r.roundTrip("AUTH", r.password); err != nil {
				r.reset()
				return nil, fmt.Errorf("redis AUTH: %w", err)
			}
		}
	}
	_ = r.conn.SetDeadline(time.Now().Add(wait))
	return r.roundTrip(args...)
}

// roundTrip sends one command and reads its reply; an I/O error drops the connection.
func (r *Redis) roundTrip(args ...string) (interface{}, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, arg := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(arg), arg)
	}
	if _, err := r.conn.Write([]byte(b.String())); err != nil {
		r.reset()
		return nil, err
	}
	reply, err := read(r.rd)
	var serverErr redisError
	if err != nil && !errors.As(err, &serverErr) {
		r.reset()
	}
	return reply, err
}

func (r *Redis) reset() {
	if r.conn != nil {
		_ = r.conn.Close()
	}
	r.conn, r.rd = nil, nil
}

type redisError string

func (e redisError) Error() string { return "redis: " + string(e) }

// read parses one RESP2 reply: nil for a null bulk string or array.
func read(rd *bufio.Reader) (interface{}, error) {
	line, err := rd.ReadString('\n')
	if err != nil {
		return nil, err
	}
	line = strings.TrimSuffix(line, "\r\n")
	if line == "" {
		return nil, errors.New("empty RESP line")
	}
	body := line[1:]
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, redisError(body)
	case ':':
		return strconv.ParseInt(body, 10, 64)
	case '$':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(rd, buf); err != nil {
			return nil, err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		if err != nil || n < 0 {
			return nil, err
		}
		items := make([]interface{}, n)
		for i := range items {
			if items[i], err = read(rd); err != nil {
				return nil, err
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("unknown RESP reply %q", line)
}
