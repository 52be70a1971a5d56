// Command client runs interop scenarios with a real Go neffos (v0.0.24,
// gorilla) client against a server implementing the contract in ../../README.md.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	gorillaws "github.com/gorilla/websocket"
	"github.com/kataras/neffos"
	"github.com/kataras/neffos/gorilla"

	"neffos-ts/e2e/go/internal/calm"
)

var (
	baseURL string
	timeout time.Duration
)

// recv collects events delivered to client handlers.
type recv chan neffos.Message

func (r recv) handler() neffos.MessageHandlerFunc {
	return func(_ *neffos.NSConn, msg neffos.Message) error {
		select {
		case r <- msg:
		default:
		}
		return nil
	}
}

// expect waits for a message on r for up to d.
func (r recv) expect(d time.Duration, what string) (neffos.Message, error) {
	select {
	case m := <-r:
		return m, nil
	case <-time.After(d):
		return neffos.Message{}, fmt.Errorf("timeout waiting for %s", what)
	}
}

// none asserts that nothing arrives on r for d.
func (r recv) none(d time.Duration, what string) error {
	select {
	case m := <-r:
		return fmt.Errorf("unexpected %s: event=%q room=%q body=%q", what, m.Event, m.Room, m.Body)
	case <-time.After(d):
		return nil
	}
}

func newRecv() recv { return make(recv, 16) }

// only forwards messages whose body equals one of bodies (isolates concurrent runs sharing rooms).
func (r recv) only(bodies ...string) neffos.MessageHandlerFunc {
	return func(_ *neffos.NSConn, msg neffos.Message) error {
		for _, b := range bodies {
			if string(msg.Body) == b {
				select {
				case r <- msg:
				default:
				}
			}
		}
		return nil
	}
}

func withQuery(q string) string {
	if strings.Contains(baseURL, "?") {
		return baseURL + "&" + q
	}
	return baseURL + "?" + q
}

func dial(ctx context.Context, url string, header http.Header, h neffos.ConnHandler) (*neffos.Client, error) {
	if header == nil {
		header = http.Header{}
	}
	return neffos.Dial(ctx, gorilla.Dialer(&gorillaws.Dialer{HandshakeTimeout: timeout}, header), url, h)
}

// dialWithTimeout bounds Dial (the Go client waits for the ack without a timeout).
func dialWithTimeout(ctx context.Context, url string, header http.Header, h neffos.ConnHandler) (*neffos.Client, error) {
	type res struct {
		c   *neffos.Client
		err error
	}
	ch := make(chan res, 1)
	go func() { c, err := dial(ctx, url, header, h); ch <- res{c, err} }()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("dial %s: %w", url, ctx.Err())
	}
}

func simple(ctx context.Context, h neffos.Namespaces) (*neffos.Client, *neffos.NSConn, error) {
	if h == nil {
		h = neffos.Namespaces{}
	}
	if h["default"] == nil {
		h["default"] = neffos.Events{}
	}
	c, err := dialWithTimeout(ctx, baseURL, nil, h)
	if err != nil {
		return nil, nil, err
	}
	ns, err := calm.Client(c).Connect(ctx, "default")
	if err != nil {
		c.Close()
		return nil, nil, fmt.Errorf("connect default: %w", err)
	}
	return c, ns, nil
}

func ask(ctx context.Context, ns *neffos.NSConn, event, body string) (string, error) {
	m, err := calm.NS(ns).Ask(ctx, event, []byte(body))
	return string(m.Body), err
}

func wantAsk(ctx context.Context, ns *neffos.NSConn, event, body, want string) error {
	got, err := ask(ctx, ns, event, body)
	if err != nil {
		return fmt.Errorf("ask %s(%q): %v", event, body, err)
	}
	if got != want {
		return fmt.Errorf("ask %s(%q) = %q, want %q", event, body, got, want)
	}
	return nil
}

// ---- scenarios ----

func scRefused(ctx context.Context) (string, error) {
	c, err := dialWithTimeout(ctx, withQuery("reject=1"), nil, neffos.Namespaces{"default": neffos.Events{}})
	if err == nil {
		c.Close()
		return "", errors.New("dial with reject=1 succeeded")
	}
	if err.Error() != "rejected by server" {
		return "", fmt.Errorf("dial error %q, want %q", err.Error(), "rejected by server")
	}
	return "dial failed with: " + err.Error(), nil
}

func scRefusedNamespace(ctx context.Context) (string, error) {
	c, _, err := simple(ctx, neffos.Namespaces{"secret": neffos.Events{}, "nope": neffos.Events{}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := calm.Client(c).Connect(ctx, "secret"); err == nil || err.Error() != "access denied" {
		return "", fmt.Errorf("connect secret: err=%v, want access denied", err)
	}
	if _, err := calm.Client(c).Connect(ctx, "nope"); err != neffos.ErrBadNamespace {
		return "", fmt.Errorf("connect nope: err=%v, want bad namespace", err)
	}
	return "secret: access denied; nope: bad namespace", nil
}

func scEcho(ctx context.Context) (string, error) {
	c, ns, err := simple(ctx, nil)
	if err != nil {
		return "", err
	}
	defer c.Close()
	for _, b := range []string{"hello", "a;b;;c;", "γειά σου 🌍", "x@%!semicolon@%!y", ""} {
		if err := wantAsk(ctx, ns, "echo", b, b); err != nil {
			return "", err
		}
	}
	if err := wantAsk(ctx, ns, "ping", "", "PONG"); err != nil {
		return "", err
	}
	return "echo x5 and ping->PONG ok", nil
}

func scErrorReply(ctx context.Context) (string, error) {
	c, ns, err := simple(ctx, nil)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := ask(ctx, ns, "fail", "x"); err == nil || err.Error() != "boom;with;semis" {
		return "", fmt.Errorf("ask fail: err=%v, want boom;with;semis", err)
	}
	// Go reads an error frame with an EMPTY text as "no error" (vector D05).
	if body, err := ask(ctx, ns, "failEmpty", "x"); err != nil || body != "" {
		return "", fmt.Errorf("ask failEmpty: body=%q err=%v, want empty body and nil error", body, err)
	}
	sctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := ask(sctx, ns, "silent", "x"); err != context.DeadlineExceeded {
		return "", fmt.Errorf("ask silent: err=%v, want timeout (no reply)", err)
	}
	return "fail -> boom;with;semis; failEmpty -> no error; silent -> no reply", nil
}

func scRooms(ctx context.Context) (string, error) {
	type peer struct {
		c    *neffos.Client
		ns   *neffos.NSConn
		chat recv
		all  recv
	}
	var ps [3]*peer
	nonce := time.Now().UnixNano()
	chatBody, allBody := fmt.Sprintf("hi room %d", nonce), fmt.Sprintf("to all in room %d", nonce)
	for i := range ps {
		p := &peer{chat: newRecv(), all: newRecv()}
		c, ns, err := simple(ctx, neffos.Namespaces{"default": neffos.Events{"chat": p.chat.only(chatBody), "echoAll": p.all.only(allBody)}})
		if err != nil {
			return "", err
		}
		defer c.Close()
		p.c, p.ns = c, ns
		ps[i] = p
	}
	a, b, cc := ps[0], ps[1], ps[2]
	roomA, err := calm.NS(a.ns).JoinRoom(ctx, "room1")
	if err != nil {
		return "", fmt.Errorf("A join room1: %v", err)
	}
	if _, err := calm.NS(b.ns).JoinRoom(ctx, "room1"); err != nil {
		return "", fmt.Errorf("B join room1: %v", err)
	}
	if _, err := calm.NS(cc.ns).JoinRoom(ctx, "forbidden"); err == nil || err.Error() != "no entry" {
		return "", fmt.Errorf("C join forbidden: err=%v, want no entry", err)
	}
	roomA.Emit("chat", []byte(chatBody))
	m, err := b.chat.expect(timeout, "B chat")
	if err != nil {
		return "", err
	}
	if m.Room != "room1" {
		return "", fmt.Errorf("B got room=%q body=%q", m.Room, m.Body)
	}
	if err := a.chat.none(300*time.Millisecond, "chat at sender A"); err != nil {
		return "", err
	}
	if err := cc.chat.none(10*time.Millisecond, "chat at C (not in room)"); err != nil {
		return "", err
	}
	roomA.Emit("echoAll", []byte(allBody))
	for name, p := range map[string]*peer{"A": a, "B": b} {
		if m, err := p.all.expect(timeout, name+" echoAll"); err != nil {
			return "", err
		} else if m.Room != "room1" {
			return "", fmt.Errorf("%s echoAll got room=%q body=%q", name, m.Room, m.Body)
		}
	}
	if err := cc.all.none(300*time.Millisecond, "echoAll at C"); err != nil {
		return "", err
	}
	return "B got chat, A and C did not; echoAll reached A and B only; forbidden -> no entry", nil
}

func scServerAsk(ctx context.Context) (string, error) {
	answer := newRecv()
	c, ns, err := simple(ctx, neffos.Namespaces{"default": neffos.Events{
		"question": func(*neffos.NSConn, neffos.Message) error { return neffos.Reply([]byte("fine, thanks")) },
		"answer":   answer.handler(),
	}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns.Emit("askMe", []byte("how are you?"))
	m, err := answer.expect(timeout, "answer")
	if err != nil {
		return "", err
	}
	if string(m.Body) != "fine, thanks" {
		return "", fmt.Errorf("answer body %q", m.Body)
	}
	return "answer: fine, thanks", nil
}

func scForcedConnect(ctx context.Context) (string, error) {
	welcome := newRecv()
	c, err := dialWithTimeout(ctx, withQuery("force=1"), nil, neffos.Namespaces{
		"default": neffos.Events{}, "forced": neffos.Events{"welcome": welcome.handler()}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns, err := c.WaitServerConnect(ctx, "forced")
	if err != nil {
		return "", fmt.Errorf("WaitServerConnect forced: %v", err)
	}
	m, err := welcome.expect(timeout, "welcome")
	if err != nil {
		return "", err
	}
	if string(m.Body) != "hello from forced" {
		return "", fmt.Errorf("welcome body %q", m.Body)
	}
	if err := wantAsk(ctx, ns, "ping", "", "PONG"); err != nil {
		return "", err
	}
	return "forced connect + welcome + forced ping ok", nil
}

func scForcedJoinLeave(ctx context.Context) (string, error) {
	joinedEv, leftEv, joined, left := newRecv(), newRecv(), newRecv(), newRecv()
	c, ns, err := simple(ctx, neffos.Namespaces{"default": neffos.Events{
		neffos.OnRoomJoined: joinedEv.handler(), neffos.OnRoomLeft: leftEv.handler(),
		"joined": joined.handler(), "left": left.handler(),
	}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns.Emit("joinMe", []byte("room2"))
	if m, err := joinedEv.expect(timeout, "_OnRoomJoined"); err != nil {
		return "", err
	} else if m.Room != "room2" {
		return "", fmt.Errorf("_OnRoomJoined room %q", m.Room)
	}
	if m, err := joined.expect(timeout, "joined"); err != nil {
		return "", err
	} else if string(m.Body) != "room2" {
		return "", fmt.Errorf("joined body %q", m.Body)
	}
	if ns.Room("room2") == nil {
		return "", errors.New("client does not see room2 as joined")
	}
	if err := wantAsk(ctx, ns, "roomCount", "room2", "1"); err != nil {
		return "", err
	}
	ns.Emit("leaveMe", []byte("room2"))
	if m, err := leftEv.expect(timeout, "_OnRoomLeft"); err != nil {
		return "", err
	} else if m.Room != "room2" {
		return "", fmt.Errorf("_OnRoomLeft room %q", m.Room)
	}
	if m, err := left.expect(timeout, "left"); err != nil {
		return "", err
	} else if string(m.Body) != "room2" {
		return "", fmt.Errorf("left body %q", m.Body)
	}
	if err := wantAsk(ctx, ns, "roomCount", "room2", "0"); err != nil {
		return "", err
	}
	return "server join/leave of room2 observed; roomCount 1 then 0", nil
}

func scForcedDisconnect(ctx context.Context) (string, error) {
	disc := newRecv()
	c, ns, err := simple(ctx, neffos.Namespaces{"default": neffos.Events{neffos.OnNamespaceDisconnect: disc.handler()}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns.Emit("kickMe", nil)
	m, err := disc.expect(timeout, "_OnNamespaceDisconnect")
	if err != nil {
		return "", err
	}
	deadline := time.Now().Add(timeout)
	for ns.Conn.Namespace("default") != nil {
		if time.Now().After(deadline) {
			return "", errors.New("namespace default still connected after kick")
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Sprintf("_OnNamespaceDisconnect fired (IsLocal=%v), namespace gone", m.IsLocal), nil
}

func scNative(ctx context.Context) (string, error) {
	native := newRecv()
	c, ns, err := simple(ctx, neffos.Namespaces{"": neffos.Events{neffos.OnNativeMessage: native.handler()}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	empty, err := calm.Client(c).Connect(ctx, "")
	if err != nil {
		return "", fmt.Errorf("connect \"\": %v", err)
	}
	_ = ns
	empty.Conn.Write(neffos.Message{IsNative: true, Body: []byte("native from go")})
	if m, err := native.expect(timeout, "native echo"); err != nil {
		return "", err
	} else if string(m.Body) != "echo:native from go" {
		return "", fmt.Errorf("native echo body %q", m.Body)
	}
	empty.Emit("native", nil)
	if m, err := native.expect(timeout, "raw from server"); err != nil {
		return "", err
	} else if string(m.Body) != "raw from server" {
		return "", fmt.Errorf("native body %q", m.Body)
	}
	return "native echo and server raw frame ok", nil
}

func scNativeOnly(ctx context.Context) (string, error) {
	if !strings.Contains(baseURL, "/echo") {
		return "", errors.New("-url must contain /echo to derive /native")
	}
	native := newRecv()
	c, err := dialWithTimeout(ctx, strings.Replace(baseURL, "/echo", "/native", 1), nil, neffos.Events{neffos.OnNativeMessage: native.handler()})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns, err := c.WaitServerConnect(ctx, "") // pre-connected in native-only mode
	if err != nil {
		return "", err
	}
	ns.Conn.Write(neffos.Message{IsNative: true, Body: []byte("a;b;c;d;e;f;g")})
	if m, err := native.expect(timeout, "native-only echo"); err != nil {
		return "", err
	} else if string(m.Body) != "echo:a;b;c;d;e;f;g" {
		return "", fmt.Errorf("native-only echo body %q", m.Body)
	}
	return "/native echo ok (no ack)", nil
}

func scBinary(ctx context.Context) (string, error) {
	back := newRecv()
	c, ns, err := simple(ctx, neffos.Namespaces{"default": neffos.Events{"binback": back.handler()}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns.EmitBinary("bin", []byte{0x3b, 0xff, 0x00})
	m, err := back.expect(timeout, "binback")
	if err != nil {
		return "", err
	}
	if !bytes.Equal(m.Body, []byte{0, 1, 2, 0x3b, 0xff, 0}) || !m.SetBinary {
		return "", fmt.Errorf("binback body % x binary=%v", m.Body, m.SetBinary)
	}
	return "binback 00 01 02 3b ff 00 (binary frame)", nil
}

func scWhoami(ctx context.Context) (string, error) {
	id := fmt.Sprintf("go-client-%d", time.Now().UnixNano())
	c, err := dialWithTimeout(ctx, baseURL, http.Header{"X-Id": {id}}, neffos.Namespaces{"default": neffos.Events{}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	if c.ID != id {
		return "", fmt.Errorf("ack id %q, want %q", c.ID, id)
	}
	ns, err := calm.Client(c).Connect(ctx, "default")
	if err != nil {
		return "", err
	}
	if err := wantAsk(ctx, ns, "whoami", "", id); err != nil {
		return "", err
	}
	return "X-Id honoured: " + id, nil
}

func scReconnect(ctx context.Context) (string, error) {
	h := http.Header{"X-Websocket-Reconnect": {"1"}, "X-Test": {"abc"}}
	c, err := dialWithTimeout(ctx, baseURL, h, neffos.Namespaces{"default": neffos.Events{}})
	if err != nil {
		return "", err
	}
	defer c.Close()
	ns, err := calm.Client(c).Connect(ctx, "default")
	if err != nil {
		return "", err
	}
	body, err := ask(ctx, ns, "headers", "")
	if err != nil {
		return "", err
	}
	var got struct {
		XTest          string `json:"xTest"`
		ReconnectTries int    `json:"reconnectTries"`
		WasReconnected bool   `json:"wasReconnected"`
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		return "", fmt.Errorf("headers reply %q: %v", body, err)
	}
	if got.XTest != "abc" || got.ReconnectTries != 1 || !got.WasReconnected {
		return "", fmt.Errorf("headers reply %s", body)
	}
	ns.Emit("closeMe", nil)
	select {
	case <-c.NotifyClose:
	case <-time.After(2 * time.Second):
		return "", errors.New("server-side close not noticed within 2s")
	}
	return "headers " + body + "; server close noticed", nil
}

var scenarios = []struct {
	name string
	run  func(context.Context) (string, error)
}{
	{"refused", scRefused}, {"refusedNamespace", scRefusedNamespace}, {"echo", scEcho}, {"errorReply", scErrorReply},
	{"rooms", scRooms}, {"serverAsk", scServerAsk}, {"forcedConnect", scForcedConnect},
	{"forcedJoinLeave", scForcedJoinLeave}, {"forcedDisconnect", scForcedDisconnect}, {"native", scNative},
	{"nativeOnly", scNativeOnly}, {"binary", scBinary}, {"whoami", scWhoami}, {"reconnect", scReconnect},
}

func main() {
	flag.StringVar(&baseURL, "url", "ws://127.0.0.1:8080/echo", "server endpoint (the /echo path of the contract)")
	name := flag.String("scenario", "all", "scenario name or all (comma-separated list allowed)")
	flag.DurationVar(&timeout, "timeout", 5*time.Second, "timeout per scenario")
	list := flag.Bool("list", false, "print scenario names and exit")
	flag.Parse()
	if *list {
		for _, s := range scenarios {
			fmt.Println(s.name)
		}
		return
	}
	want := map[string]bool{}
	for _, n := range strings.Split(*name, ",") {
		n = strings.TrimSpace(n)
		known := n == "all"
		for _, s := range scenarios {
			known = known || s.name == n
		}
		if !known {
			fmt.Fprintf(os.Stderr, "unknown scenario %q (use -list)\n", n)
			os.Exit(2)
		}
		want[n] = true
	}
	failed := 0
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	for _, s := range scenarios {
		if !want["all"] && !want[s.name] {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		type res struct {
			detail string
			err    error
		}
		ch := make(chan res, 1)
		go func() { d, err := s.run(ctx); ch <- res{d, err} }()
		var r res
		select {
		case r = <-ch:
		case <-time.After(timeout + 2*time.Second):
			r.err = errors.New("scenario hung past its timeout")
		}
		cancel()
		out := struct {
			Scenario string `json:"scenario"`
			OK       bool   `json:"ok"`
			Detail   string `json:"detail"`
		}{s.name, r.err == nil, r.detail}
		if r.err != nil {
			failed++
			out.Detail = r.err.Error()
		}
		enc.Encode(out)
	}
	if failed > 0 {
		os.Exit(1)
	}
}
