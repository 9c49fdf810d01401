package auth

import (
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	v := NewVerifier([]byte("test-key"))
	good := v.Sign(Claims{Subject: "alice", ExpiresAt: time.Now().Add(time.Hour).Unix()})
	if claims, err := v.Verify(good); err != nil || claims.Subject != "alice" {
		t.Fatalf("a valid token was refused: %v", err)
	}
	expired := v.Sign(Claims{Subject: "alice", ExpiresAt: time.Now().Add(-time.Hour).Unix()})
	if _, err := v.Verify(expired); err == nil {
		t.Fatal("an expired token was accepted")
	}
	other := NewVerifier([]byte("other-key")).Sign(Claims{ExpiresAt: time.Now().Add(time.Hour).Unix()})
	if _, err := v.Verify(other); err == nil {
		t.Fatal("a token signed with another key was accepted")
	}
}
