// A real Iris v12 application used as an interoperability peer by neffos-ts's tests, written the way
// Iris's websocket documentation shows: websocket.Handler(server, idGenerator) on a route,
// websocket.GetContext in a handler, and an MVC websocket controller with a Namespace field, a
// registered dependency and OnNamespaceConnected / OnNamespaceDisconnect / OnChat methods, joined
// with plain neffos namespaces through websocket.JoinConnHandlers.
//
// Conventions (as e2e/go/cmd/server): binds 127.0.0.1 (-addr 127.0.0.1:0 picks a free port), prints
// one stdout line "READY <port>", logs to stderr, exits 0 on SIGTERM/SIGINT.
//
// Routes: GET /websocket (the neffos endpoint), GET / (a blank page for browser tests), /static/*
// (the -static directory: the neffos-ts browser bundle), GET /health.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/kataras/iris/v12"
	"github.com/kataras/iris/v12/mvc"
	"github.com/kataras/iris/v12/websocket"
)

// LoggerService is the dependency registered on the MVC application.
type LoggerService interface {
	Log(string)
	Prefix() string
}

type prefixedLogger struct{ prefix string }

func (s *prefixedLogger) Log(msg string)   { log.Printf("%s: %s", s.prefix, msg) }
func (s *prefixedLogger) Prefix() string { return s.prefix }

var visits int64

// websocketController is the Iris MVC websocket controller: exported methods are events.
type websocketController struct {
	*websocket.NSConn `stateless:"true"`
	Namespace         string

	Logger LoggerService
}

func (c *websocketController) OnNamespaceConnected(msg websocket.Message) error {
	c.Logger.Log("Connected " + c.Conn.ID())
	n := atomic.AddInt64(&visits, 1)
	c.Conn.Server().Broadcast(nil, websocket.Message{Namespace: msg.Namespace, Event: "OnVisit", Body: []byte(fmt.Sprint(n))})
	return nil
}

func (c *websocketController) OnNamespaceDisconnect(msg websocket.Message) error {
	c.Logger.Log("Disconnected " + c.Conn.ID())
	n := atomic.AddInt64(&visits, -1)
	c.Conn.Server().Broadcast(nil, websocket.Message{Namespace: msg.Namespace, Event: "OnVisit", Body: []byte(fmt.Sprint(n))})
	return nil
}

// OnChat relays to every other client of the namespace (the sender is excluded).
func (c *websocketController) OnChat(msg websocket.Message) error {
	ctx := websocket.GetContext(c.Conn)
	ctx.Application().Logger().Infof("[IP: %s] [ID: %s] broadcast [%s]", ctx.RemoteAddr(), c, string(msg.Body))
	c.Conn.Server().Broadcast(c, msg)
	return nil
}

// Echo answers an ask with the same body.
func (c *websocketController) Echo(msg websocket.Message) error { return websocket.Reply(msg.Body) }

// Whoami answers with values read through websocket.GetContext and the injected dependency.
func (c *websocketController) Whoami(msg websocket.Message) error {
	ctx := websocket.GetContext(c.Conn)
	return websocket.Reply([]byte(strings.Join([]string{c.Conn.ID(), ctx.URLParam("user"), ctx.Path(), c.Logger.Prefix()}, "|")))
}

// Fail answers with an error text.
func (c *websocketController) Fail(msg websocket.Message) error { return errors.New("iris says no") }

// rooms is a plain neffos namespace joined with the controller.
var rooms = websocket.Namespaces{
	"rooms": websocket.Events{
		websocket.OnRoomJoin: func(ns *websocket.NSConn, msg websocket.Message) error {
			if msg.Room == "forbidden" {
				return errors.New("no entry")
			}
			return nil
		},
		"chat": func(ns *websocket.NSConn, msg websocket.Message) error {
			ns.Conn.Server().Broadcast(ns, msg) // to the room (msg.Room) or the namespace, sender excluded
			return nil
		},
		"roomCount": func(ns *websocket.NSConn, msg websocket.Message) error {
			n := 0
			for _, c := range ns.Conn.Server().GetConnectionsByNamespace("rooms") {
				if c.Room(string(msg.Body)) != nil {
					n++
				}
			}
			return websocket.Reply([]byte(fmt.Sprint(n)))
		},
	},
	"admin": websocket.Events{
		websocket.OnNamespaceConnect: func(*websocket.NSConn, websocket.Message) error { return errors.New("admins only") },
	},
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (host defaults to 127.0.0.1; port 0 = a free port)")
	static := flag.String("static", "", "directory served at /static (the neffos-ts browser bundle)")
	flag.Parse()
	log.SetOutput(os.Stderr)
	log.SetFlags(log.Lmicroseconds)

	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		log.Fatalf("bad -addr: %v", err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		log.Fatalf("listen: %v", err)
	}

	app := iris.New()
	app.Logger().SetOutput(os.Stderr)
	websocketAPI := app.Party("/websocket")
	m := mvc.New(websocketAPI)
	m.Register(&prefixedLogger{prefix: "DEV"})
	m.HandleWebsocket(&websocketController{Namespace: "default"})
	websocketServer := websocket.New(websocket.DefaultGorillaUpgrader, websocket.JoinConnHandlers(m, rooms))
	// The IDGenerator of Iris's docs: the user name when given (several connections may share it).
	websocketAPI.Get("/", websocket.Handler(websocketServer, func(ctx iris.Context) string {
		if user := ctx.URLParam("user"); user != "" {
			return user
		}
		return websocket.DefaultIDGenerator(ctx)
	}))
	app.Get("/", func(ctx iris.Context) { ctx.HTML("<!doctype html><title>iris</title><p>iris peer</p>") })
	app.Get("/health", func(ctx iris.Context) { ctx.WriteString("ok") })
	if *static != "" {
		app.HandleDir("/static", iris.Dir(*static))
	}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		websocketServer.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		app.Shutdown(ctx)
	}()

	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)
	if err := app.Run(iris.Listener(ln), iris.WithoutStartupLog, iris.WithoutServerError(iris.ErrServerClosed), iris.WithoutInterruptHandler); err != nil {
		log.Fatalf("serve: %v", err)
	}
}
