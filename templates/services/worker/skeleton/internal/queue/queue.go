// Package queue is the job queue the worker reads: a small interface, an in-memory
// implementation for tests, and a Redis-list implementation over RESP (standard
// library only, so the worker builds without a Redis client library).
package queue

import (
	"context"
	"sync"
	"time"
)

// Queue is what the worker needs of a list-based queue.
type Queue interface {
	// Pop takes the oldest job of a list, waiting up to timeout; ok is false on timeout.
	Pop(ctx context.Context, list string, timeout time.Duration) (job string, ok bool, err error)
	// Push appends a job to a list.
	Push(ctx context.Context, list, job string) error
	// Len is the number of jobs waiting in a list.
	Len(ctx context.Context, list string) (int64, error)
}

// Memory is an in-process Queue (tests, local runs).
type Memory struct {
	mu    sync.Mutex
	lists map[string][]string
}

// NewMemory returns an empty in-memory queue.
func NewMemory() *Memory { return &Memory{lists: map[string][]string{}} }

// Pop implements Queue; it does not block.
func (m *Memory) Pop(_ context.Context, list string, _ time.Duration) (string, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	items := m.lists[list]
	if len(items) == 0 {
		return "", false, nil
	}
	m.lists[list] = items[1:]
	return items[0], true, nil
}

// Push implements Queue.
func (m *Memory) Push(_ context.Context, list, job string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.lists[list] = append(m.lists[list], job)
	return nil
}

// Len implements Queue.
func (m *Memory) Len(_ context.Context, list string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return int64(len(m.lists[list])), nil
}
