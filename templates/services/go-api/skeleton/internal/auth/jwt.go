// Package auth checks HS256 JSON Web Tokens with the standard library only.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// Claims are the registered claims the middleware reads.
type Claims struct {
	Subject   string `json:"sub"`
	ExpiresAt int64  `json:"exp"`
	NotBefore int64  `json:"nbf,omitempty"`
}

type claimsKey struct{}

// Verifier checks tokens signed with one shared HMAC key.
type Verifier struct {
	key []byte
	now func() time.Time
}

// NewVerifier returns a verifier for the key (JWT_SECRET); an empty key rejects all.
func NewVerifier(key []byte) *Verifier {
	return &Verifier{key: key, now: time.Now}
}

// ErrInvalid is returned for any token that is not valid: callers answer 401.
var ErrInvalid = errors.New("invalid token")

// Verify returns the claims of a valid, unexpired HS256 token.
func (v *Verifier) Verify(token string) (*Claims, error) {
	if len(v.key) == 0 {
		return nil, ErrInvalid
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, ErrInvalid
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decode(parts[0], &header); err != nil || header.Alg != "HS256" {
		return nil, ErrInvalid
	}
	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	signature, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(signature, mac.Sum(nil)) {
		return nil, ErrInvalid
	}
	var claims Claims
	if err := decode(parts[1], &claims); err != nil {
		return nil, ErrInvalid
	}
	now := v.now().Unix()
	if claims.ExpiresAt == 0 || now >= claims.ExpiresAt || now < claims.NotBefore {
		return nil, ErrInvalid
	}
	return &claims, nil
}

// Sign makes an HS256 token for the claims (tests and local tools).
func (v *Verifier) Sign(claims Claims) string {
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body, _ := json.Marshal(claims)
	payload := header + "." + base64.RawURLEncoding.EncodeToString(body)
	mac := hmac.New(sha256.New, v.key)
	mac.Write([]byte(payload))
	return payload + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// Middleware answers 401 unless the request carries a valid bearer token.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		claims, err := v.Verify(token)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), claimsKey{}, claims)))
	})
}

// FromContext returns the claims the middleware accepted.
func FromContext(ctx context.Context) (*Claims, bool) {
	claims, ok := ctx.Value(claimsKey{}).(*Claims)
	return claims, ok
}

func decode(part string, into interface{}) error {
	raw, err := base64.RawURLEncoding.DecodeString(part)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, into)
}
