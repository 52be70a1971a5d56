package main

import (
	"reflect"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/kataras/neffos"
)

// calm works around a race in the Go neffos client (kataras/neffos#113, open): Conn.Ask reads
// the connection-wide isInsideHandler flag, which the reader goroutine sets while it handles a
// frame, including while it hands an answer to the goroutine that asked. An Ask made right after
// the previous answer can still see the flag set; it then starts a second socket reader that may
// take the next answer (or any next frame) away from where it belongs, and the Ask times out.
// Waiting until the reader has left its handler (at most a second) keeps the scenarios about the
// server under test, not about that race.
func calm(c *neffos.Conn) *neffos.Conn {
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

// calmNS is calm for a namespace connection.
func calmNS(ns *neffos.NSConn) *neffos.NSConn {
	calm(ns.Conn)
	return ns
}

// calmClient is calm for a client (its connection is an unexported field).
func calmClient(c *neffos.Client) *neffos.Client {
	if f := reflect.ValueOf(c).Elem().FieldByName("conn"); f.IsValid() && f.Kind() == reflect.Ptr && !f.IsNil() {
		calm((*neffos.Conn)(unsafe.Pointer(f.Pointer())))
	}
	return c
}
