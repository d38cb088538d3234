package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
)

// Error is an error with what the user should see: an HTTP status, a stable
// machine-readable code, and the key of a message in the catalogue. The
// cause, if any, is logged and never shown.
type Error struct {
	Status int
	Code   string
	// Message is a catalogue key; the user sees its text in their language.
	Message string
	// Field, when set, names the request field at fault; API answers carry
	// it so that a client can point at it.
	Field string
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter time.Duration
	Err        error
}

// Error describes the error for logs.
func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Err.Error()
	}
	return e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

func newError(status int, code string) *Error {
	return &Error{Status: status, Code: code, Message: "err." + code}
}

// The errors handlers return; each names its status, code and message key.
func errBadRequest(cause error) *Error {
	e := newError(http.StatusBadRequest, "bad_request")
	e.Err = cause
	return e
}

func errUnauthorized() *Error { return newError(http.StatusUnauthorized, "unauthorized") }

func errForbidden() *Error { return newError(http.StatusForbidden, "forbidden") }

func errNotFound() *Error { return newError(http.StatusNotFound, "not_found") }

func errCrossOrigin(cause error) *Error {
	e := newError(http.StatusForbidden, "cross_origin")
	e.Err = cause
	return e
}

// classify maps any error a handler returns to what the user is told. It is
// the only place where errors become statuses and messages.
func classify(err error) *Error {
	var e *Error
	var maxBytes *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var limited *app.RateLimited
	var calls *app.TooManyCalls
	var refused *app.AccountRefusal
	var certRefused *app.CertRefusal
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &certRefused):
		return errCertRefused(err)
	case errors.As(err, &limited):
		return &Error{Status: http.StatusTooManyRequests, Code: "rate_limited", Message: "err.rate_limited", RetryAfter: limited.Retry, Err: err}
	case errors.As(err, &calls):
		return &Error{Status: http.StatusTooManyRequests, Code: "too_many_calls", Message: "err.too_many_calls", RetryAfter: calls.Retry, Err: err}
	case errors.As(err, &refused) && refused.Key == "taken":
		return &Error{Status: http.StatusConflict, Code: "taken", Message: "err.account_taken", Err: err}
	case errors.As(err, &refused):
		return &Error{Status: http.StatusBadRequest, Code: "bad_" + refused.Key, Message: "err.account_" + refused.Key, Err: err}
	case errors.As(err, &maxBytes):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: "too_large", Message: "err.too_large", Err: err}
	case errors.As(err, &syntax), errors.As(err, &typ), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &Error{Status: http.StatusBadRequest, Code: "bad_json", Message: "err.bad_json", Err: err}
	}
	// The kinds of error the workflows and the store return, checked in
	// order.
	kinds := []struct {
		kind   error
		status int
		code   string
	}{
		{app.ErrMissingCredentials, http.StatusBadRequest, "missing_credentials"},
		{app.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials"},
		{domain.ErrUnavailable, http.StatusServiceUnavailable, "unavailable"},
		{domain.ErrForbidden, http.StatusForbidden, "forbidden"},
		{domain.ErrNotFound, http.StatusNotFound, "not_found"},
		{domain.ErrConflict, http.StatusConflict, "conflict"},
		{domain.ErrInvalid, http.StatusBadRequest, "bad_request"},
		// The client went away; nobody reads the answer, but logs and
		// metrics should not count it as a server fault.
		{context.Canceled, 499, "canceled"},
	}
	for _, k := range kinds {
		if errors.Is(err, k.kind) {
			e := newError(k.status, k.code)
			e.Err = err
			return e
		}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "err.internal", Err: err}
}

// errorBody is the JSON form of an error: {"error": {"code", "message"}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// fail answers the request with err, as JSON under /api/ and for the health
// check, as an HTML page elsewhere, and stops the handler chain.
func (s *Server) fail(c *gin.Context, err error) {
	e := classify(err)
	s.metrics.errors.WithLabelValues(e.Code).Inc()
	level := slog.LevelDebug
	if e.Status >= 500 && e.Status != 499 && e.RetryAfter <= 0 {
		// A refusal with Retry-After (saturated) is the server working as
		// meant; logging each as an error would cost the most CPU when
		// there is least of it.
		level = slog.LevelError
	}
	s.log.Log(c.Request.Context(), level, "request failed",
		"method", c.Request.Method, "path", c.Request.URL.Path, "status", e.Status, "code", e.Code, "err", err)
	c.Abort()
	if c.Writer.Written() {
		return
	}
	setRetryAfter(c, e)
	lang := langOf(c)
	msg := s.text.get(lang, e.Message)
	if isAPI(c.Request.URL.Path) || c.Request.URL.Path == "/healthz" {
		c.JSON(e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: msg, Field: e.Field}})
		return
	}
	s.render(c, e.Status, "error", errorPage{Code: e.Code, Message: msg})
}

// setRetryAfter tells the client, in whole seconds rounded up, when to try
// again after a rate-limit error.
func setRetryAfter(c *gin.Context, e *Error) {
	if e.RetryAfter > 0 {
		c.Header("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
}
