// The legacy Iris websocket (github.com/kataras/iris v11.1.1+incompatible, package websocket) as an
// interoperability peer for neffos-ts/legacy: a real Iris v11 application written the way that
// package's documentation shows (websocket.New(Config), OnConnection, c.On with typed handlers,
// c.OnMessage, c.Emit, c.To(...), c.Join/Leave, c.OnDisconnect) and serving the package's own
// browser client at /iris-ws.js.
//
// Conventions (as e2e/go-iris): binds 127.0.0.1 (-addr 127.0.0.1:0 picks a free port), prints one
// stdout line "READY <port>", logs to stderr, exits 0 on SIGTERM/SIGINT.
//
// With -client <ws url> it is instead a Go client, written as Iris v11's custom-go-client example
// (golang.org/x/net/websocket, frames built on websocket.DefaultEvtMessageKey): it sends each remaining
// argument as one text frame ("RAW:" before a native one, else the prefix is added), then a marker event,
// prints every frame it receives as "FRAME <base64>" until the marker's echo, then "DONE".
//
// Routes: GET /echo (the websocket endpoint; ?id=<id> sets the connection id through the
// IDGenerator, so several connections may share one), GET /iris-ws.js (websocket.ClientSource for the
// configured prefix), GET / (a blank page for browser tests), GET /health.
//
// Events handled per connection (the scenario neffos-ts's legacy tests drive, mirrored by
// test/fixtures/legacy-scenario.ts for our server):
//
//	welcome            emitted on connect with the id (string)
//	string  func(string)       echoes as string
//	int     func(int)          echoes as int (Go writes no payload) and as "int.text" (string)
//	bool    func(bool)         echoes as bool
//	bytes   func([]byte)       echoes as []byte
//	any     func(interface{})  echoes the decoded value (re-typed by Go's serializer)
//	noarg   func()             emits "noarg" "called"
//	types   func()             emits one event per Go type (see emitTypes)
//	join    func(string)       c.Join(room), emits "joined" room
//	leave   func(string)       emits "left" c.Leave(room) (bool)
//	to      func(interface{})  {"to","event","data"}: c.To(to).Emit(event, data)
//	tonative func(interface{}) {"to","data"}: c.To(to).EmitMessage(data)
//	id      func()             emits "id" c.ID()
//	bye     func()             c.Disconnect()
//	native messages            echoed with c.EmitMessage
//	on disconnect              c.To(websocket.Broadcast).Emit("gone", id)
package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kataras/iris"
	"github.com/kataras/iris/context"
	"github.com/kataras/iris/websocket"
	xwebsocket "golang.org/x/net/websocket"
)

// runClient is the Go client mode (see the package comment).
func runClient(url string, frames []string) {
	ws, err := xwebsocket.Dial(url, "", "http://127.0.0.1/")
	if err != nil {
		log.Fatalf("client: dial %s: %v", url, err)
	}
	defer ws.Close()
	for _, f := range frames {
		if strings.HasPrefix(f, "RAW:") {
			f = strings.TrimPrefix(f, "RAW:")
		} else {
			f = websocket.DefaultEvtMessageKey + f
		}
		if err := xwebsocket.Message.Send(ws, f); err != nil {
			log.Fatalf("client: send: %v", err)
		}
	}
	marker := websocket.DefaultEvtMessageKey + "string;0;__go_client_done__"
	if err := xwebsocket.Message.Send(ws, marker); err != nil {
		log.Fatalf("client: send: %v", err)
	}
	ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		var data []byte
		if err := xwebsocket.Message.Receive(ws, &data); err != nil {
			log.Fatalf("client: receive: %v", err)
		}
		if string(data) == marker {
			break
		}
		fmt.Printf("FRAME %s\n", base64.StdEncoding.EncodeToString(data))
	}
	fmt.Println("DONE")
}

type named struct {
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// emitTypes writes one event per Go value kind, the bytes neffos-ts compares against.
func emitTypes(c websocket.Connection) {
	c.Emit("t.string", "hello")
	c.Emit("t.int", 42)
	c.Emit("t.true", true)
	c.Emit("t.false", false)
	c.Emit("t.bytes", []byte{'a', 0, 'b'})
	c.Emit("t.map", map[string]interface{}{"s": "x<é>&", "b": 1, "a": []interface{}{true, nil, 1.5}})
	c.Emit("t.float", 1.5)
	c.Emit("t.int64", int64(7))
	c.Emit("t.slice", []int{1, 2})
	c.Emit("t.nil", nil)
	c.Emit("t.struct", named{Name: "n", Count: 3})
	c.Emit("t.empty", "")
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	prefix := flag.String("prefix", "", "EvtMessagePrefix (empty: the default iris-websocket-message:)")
	maxSize := flag.Int64("max", 0, "MaxMessageSize (0: the default 1024)")
	client := flag.String("client", "", "run as a Go client of this ws URL instead of a server")
	flag.Parse()
	log.SetOutput(os.Stderr)
	if *client != "" {
		runClient(*client, flag.Args())
		return
	}

	app := iris.New()
	app.Logger().SetOutput(os.Stderr)

	ws := websocket.New(websocket.Config{
		EvtMessagePrefix: []byte(*prefix),
		MaxMessageSize:   *maxSize,
		IDGenerator: func(ctx context.Context) string {
			if id := ctx.URLParam("id"); id != "" {
				return id
			}
			return websocket.DefaultIDGenerator(ctx)
		},
	})
	ws.OnConnection(func(c websocket.Connection) {
		id := c.ID()
		c.Emit("welcome", id)
		c.On("string", func(s string) { c.Emit("string", s) })
		c.On("int", func(n int) {
			c.Emit("int", n)
			c.Emit("int.text", strconv.Itoa(n))
		})
		c.On("bool", func(b bool) { c.Emit("bool", b) })
		c.On("bytes", func(b []byte) { c.Emit("bytes", b) })
		c.On("any", func(v interface{}) { c.Emit("any", v) })
		c.On("noarg", func() { c.Emit("noarg", "called") })
		c.On("types", func() { emitTypes(c) })
		c.On("join", func(room string) {
			c.Join(room)
			c.Emit("joined", room)
		})
		c.On("leave", func(room string) { c.Emit("left", c.Leave(room)) })
		c.On("to", func(v interface{}) {
			m, ok := v.(map[string]interface{})
			if !ok {
				return
			}
			to, _ := m["to"].(string)
			event, _ := m["event"].(string)
			c.To(to).Emit(event, m["data"])
		})
		c.On("tonative", func(v interface{}) {
			m, ok := v.(map[string]interface{})
			if !ok {
				return
			}
			to, _ := m["to"].(string)
			data, _ := m["data"].(string)
			c.To(to).EmitMessage([]byte(data))
		})
		c.On("id", func() { c.Emit("id", c.ID()) })
		c.On("bye", func() { c.Disconnect() })
		c.OnMessage(func(b []byte) { c.EmitMessage(b) })
		c.OnLeave(func(room string) { log.Printf("%s left %s", id, room) })
		c.OnDisconnect(func() {
			log.Printf("%s disconnected", id)
			c.To(websocket.Broadcast).Emit("gone", id)
		})
	})

	app.Get("/echo", ws.Handler())
	app.Get("/iris-ws.js", func(ctx context.Context) {
		ctx.ContentType("application/javascript")
		ctx.Write(ws.ClientSource)
	})
	app.Get("/", func(ctx context.Context) {
		ctx.HTML("<!doctype html><html><head><meta charset=\"utf-8\"><title>iris v11</title></head><body></body></html>")
	})
	app.Get("/health", func(ctx context.Context) { ctx.WriteString("ok") })

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)

	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	if err := app.Run(iris.Listener(ln), iris.WithoutStartupLog, iris.WithoutInterruptHandler); err != nil {
		log.Printf("server: %v", err)
	}
}
