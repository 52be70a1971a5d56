// Package formbinder stands in for github.com/iris-contrib/formBinder, which the Go module proxy no
// longer serves. Iris v11's context package imports it only for ReadForm (form decoding), which the
// legacy websocket harness never calls; the websocket package itself does not use it.
package formbinder

import (
	"errors"
	"net/url"
)

// ErrPath mirrors formBinder's path error type.
type ErrPath struct{ error }

// IsErrPath reports whether err is an ErrPath.
func IsErrPath(err error) bool {
	var e ErrPath
	return errors.As(err, &e)
}

// Decode is not implemented: the harness never decodes forms.
func Decode(vs url.Values, dst interface{}) error {
	return errors.New("formbinder: not available in this harness")
}
