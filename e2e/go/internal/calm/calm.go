// Package calm works around a race in Go neffos (kataras/neffos#113, open) for the e2e harness's
// Go client and Go server: Conn.Ask reads the connection-wide isInsideHandler flag, which the
// reader goroutine sets while it handles a frame (on a client, also while it hands an answer to
// the goroutine that asked). An Ask made while the flag is still set, from another goroutine
// (right after the previous answer, or from a goroutine a handler started just before returning),
// starts a second socket reader that may take the next frame away from where it belongs, and the
// Ask times out. Waiting until the reader has left its handler (at most a second) keeps the
// scenarios about the peer under test, not about that race.
package calm

import (
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kataras/neffos"
)

// Conn waits (at most a second) until c's reader has left its handler, then returns c.
func Conn(c *neffos.Conn) *neffos.Conn {
	f := reflect.ValueOf(c).Elem().FieldByName("isInsideHandler")
	if !f.IsValid() || f.Kind() != reflect.Ptr {
		return c // another neffos version: nothing to wait for
	}
	flag := (*uint32)(unsafe.Pointer(f.Pointer()))
	for deadline := time.Now().Add(time.Second); atomic.LoadUint32(flag) == 1 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Microsecond)
	}
	return c
}

// NS is Conn for a namespace connection.
func NS(ns *neffos.NSConn) *neffos.NSConn {
	Conn(ns.Conn)
	return ns
}

// Client is Conn for a client (its connection is an unexported field).
func Client(c *neffos.Client) *neffos.Client {
	if f := reflect.ValueOf(c).Elem().FieldByName("conn"); f.IsValid() && f.Kind() == reflect.Ptr && !f.IsNil() {
		Conn((*neffos.Conn)(unsafe.Pointer(f.Pointer())))
	}
	return c
}
