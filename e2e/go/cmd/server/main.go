// Command server runs a real Go neffos (v0.0.24, gorilla) server implementing
// the interop scenario contract documented in ../../README.md.
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	gorillaws "github.com/gorilla/websocket"
	"github.com/kataras/neffos"
	"github.com/kataras/neffos/gorilla"

	"neffos-ts/e2e/go/internal/calm"
)

var verbose bool

// loggingSocket wraps the gorilla socket: it logs frames when -verbose and
// signals when the handshake ack ("A"+id or "H"+error) has been written.
type loggingSocket struct {
	neffos.Socket
	peer    string
	ackOnce sync.Once
	acked   chan struct{}
}

func wrapSocket(s neffos.Socket) neffos.Socket {
	return &loggingSocket{Socket: s, peer: s.NetConn().RemoteAddr().String(), acked: make(chan struct{})}
}

func logFrame(dir, peer string, binary bool, b []byte) {
	if !verbose {
		return
	}
	if binary {
		log.Printf("%s %s B %s", dir, peer, hex.EncodeToString(b))
	} else {
		log.Printf("%s %s T %s", dir, peer, strconv.Quote(string(b)))
	}
}

func (s *loggingSocket) ReadData(timeout time.Duration) ([]byte, neffos.MessageType, error) {
	b, typ, err := s.Socket.ReadData(timeout)
	if err == nil {
		logFrame("IN ", s.peer, typ == neffos.BinaryMessage, b)
	} else if verbose {
		log.Printf("ERR %s read: %v", s.peer, err)
	}
	return b, typ, err
}

func (s *loggingSocket) WriteBinary(b []byte, timeout time.Duration) error {
	logFrame("OUT", s.peer, true, b)
	return s.Socket.WriteBinary(b, timeout)
}

func (s *loggingSocket) WriteText(b []byte, timeout time.Duration) error {
	logFrame("OUT", s.peer, false, b)
	err := s.Socket.WriteText(b, timeout)
	if len(b) > 0 && (b[0] == 'A' || b[0] == 'H') {
		s.ackOnce.Do(func() { close(s.acked) })
	}
	return err
}

// waitAckWritten blocks until the server has written the "A"+id frame.
func waitAckWritten(c *neffos.Conn, d time.Duration) bool {
	ls, ok := c.Socket().(*loggingSocket)
	if !ok {
		return false
	}
	select {
	case <-ls.acked:
		return !c.IsClosed()
	case <-time.After(d):
		return false
	}
}

func request(c *neffos.Conn) *http.Request { return c.Socket().Request() }

func emitLater(ns *neffos.NSConn, event string, body string) { ns.Emit(event, []byte(body)) }

func ctx5() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 5*time.Second)
}

func echoHandlers(srv **neffos.Server) neffos.Namespaces {
	return neffos.Namespaces{
		"default": neffos.Events{
			neffos.OnRoomJoin: func(ns *neffos.NSConn, msg neffos.Message) error {
				if msg.Room == "forbidden" {
					return errors.New("no entry")
				}
				return nil
			},
			"echo": func(ns *neffos.NSConn, msg neffos.Message) error { return neffos.Reply(msg.Body) },
			"ping": func(ns *neffos.NSConn, msg neffos.Message) error {
				if len(msg.Body) == 0 {
					return neffos.Reply([]byte("PONG"))
				}
				return neffos.Reply(msg.Body)
			},
			"fail":      func(*neffos.NSConn, neffos.Message) error { return errors.New("boom;with;semis") },
			"failEmpty": func(*neffos.NSConn, neffos.Message) error { return errors.New("") },
			"silent":    func(*neffos.NSConn, neffos.Message) error { return nil },
			"chat": func(ns *neffos.NSConn, msg neffos.Message) error {
				ns.Conn.Server().Broadcast(ns, msg)
				return nil
			},
			"echoAll": func(ns *neffos.NSConn, msg neffos.Message) error {
				ns.Conn.Server().Broadcast(nil, msg)
				return nil
			},
			"bin": func(ns *neffos.NSConn, msg neffos.Message) error {
				ns.EmitBinary("binback", append([]byte{0, 1, 2}, msg.Body...))
				return nil
			},
			"binfail": func(*neffos.NSConn, neffos.Message) error { return errors.New("bin failure") },
			"askMe": func(ns *neffos.NSConn, msg neffos.Message) error {
				go func() {
					ctx, cancel := ctx5()
					defer cancel()
					reply, err := calm.NS(ns).Ask(ctx, "question", msg.Body)
					if err != nil {
						emitLater(ns, "answer", "error:"+err.Error())
						return
					}
					emitLater(ns, "answer", string(reply.Body))
				}()
				return nil
			},
			"joinMe": func(ns *neffos.NSConn, msg neffos.Message) error {
				room := string(msg.Body)
				go func() {
					ctx, cancel := ctx5()
					defer cancel()
					if _, err := calm.NS(ns).JoinRoom(ctx, room); err != nil {
						emitLater(ns, "joined", "error:"+err.Error())
						return
					}
					emitLater(ns, "joined", room)
				}()
				return nil
			},
			"leaveMe": func(ns *neffos.NSConn, msg neffos.Message) error {
				room := string(msg.Body)
				go func() {
					ctx, cancel := ctx5()
					defer cancel()
					r := calm.NS(ns).Room(room)
					if r == nil {
						emitLater(ns, "left", "error:"+neffos.ErrBadRoom.Error())
						return
					}
					if err := r.Leave(ctx); err != nil { // calm.NS above: Leave asks too
						emitLater(ns, "left", "error:"+err.Error())
						return
					}
					emitLater(ns, "left", room)
				}()
				return nil
			},
			"kickMe": func(ns *neffos.NSConn, msg neffos.Message) error {
				go func() {
					ctx, cancel := ctx5()
					defer cancel()
					calm.NS(ns).Disconnect(ctx)
				}()
				return nil
			},
			"closeMe": func(ns *neffos.NSConn, msg neffos.Message) error {
				go ns.Conn.Close()
				return nil
			},
			"whoami": func(ns *neffos.NSConn, msg neffos.Message) error { return neffos.Reply([]byte(ns.Conn.ID())) },
			"headers": func(ns *neffos.NSConn, msg neffos.Message) error {
				b, _ := json.Marshal(map[string]interface{}{
					"xTest":          request(ns.Conn).Header.Get("X-Test"),
					"reconnectTries": ns.Conn.ReconnectTries,
					"wasReconnected": ns.Conn.WasReconnected(),
				})
				return neffos.Reply(b)
			},
			"roomCount": func(ns *neffos.NSConn, msg neffos.Message) error {
				n := 0
				for _, other := range (*srv).GetConnectionsByNamespace("default") {
					if other.Room(string(msg.Body)) != nil {
						n++
					}
				}
				return neffos.Reply([]byte(strconv.Itoa(n)))
			},
		},
		"secret": neffos.Events{
			neffos.OnNamespaceConnect: func(*neffos.NSConn, neffos.Message) error { return errors.New("access denied") },
		},
		"forced": neffos.Events{
			"ping": func(*neffos.NSConn, neffos.Message) error { return neffos.Reply([]byte("PONG")) },
		},
		// The common "greet on connect" pattern: the emit leaves right after the connect reply.
		"welcome": neffos.Events{
			neffos.OnNamespaceConnected: func(ns *neffos.NSConn, msg neffos.Message) error {
				ns.Emit("welcome", []byte("hi"))
				return nil
			},
			"echo": func(ns *neffos.NSConn, msg neffos.Message) error { return neffos.Reply(msg.Body) },
		},
		// What this connection has connected and joined, for tests that compare both sides' views.
		"probe": neffos.Events{
			"state": func(ns *neffos.NSConn, msg neffos.Message) error { return neffos.Reply(connState(ns.Conn)) },
		},
		"": neffos.Events{
			neffos.OnNativeMessage: nativeEcho,
			"native": func(ns *neffos.NSConn, msg neffos.Message) error {
				ns.Conn.Write(neffos.Message{IsNative: true, Body: []byte("raw from server")})
				return nil
			},
		},
	}
}

// connState is {"default":[rooms…] or null,"forced":[…] or null}: the namespaces default and forced of c, each
// with its joined rooms sorted, null when not connected (JSON, keys sorted).
func connState(c *neffos.Conn) []byte {
	state := map[string][]string{}
	for _, name := range []string{"default", "forced"} {
		ns := c.Namespace(name)
		if ns == nil {
			state[name] = nil
			continue
		}
		rooms := []string{}
		for _, r := range ns.Rooms() {
			rooms = append(rooms, r.Name)
		}
		sort.Strings(rooms)
		state[name] = rooms
	}
	b, _ := json.Marshal(state)
	return b
}

// nativeEcho answers a native message with a native "echo:"+body, same frame type.
func nativeEcho(ns *neffos.NSConn, msg neffos.Message) error {
	ns.Conn.Write(neffos.Message{IsNative: true, SetBinary: msg.SetBinary, Body: append([]byte("echo:"), msg.Body...)})
	return nil
}

func newEchoServer() *neffos.Server {
	var srv *neffos.Server
	upgrader := gorilla.Upgrader(gorillaws.Upgrader{CheckOrigin: func(*http.Request) bool { return true }})
	srv = neffos.New(upgrader, echoHandlers(&srv))
	srv.SyncBroadcaster = true
	srv.IDGenerator = func(w http.ResponseWriter, r *http.Request) string {
		if id := r.Header.Get("X-Id"); id != "" {
			return id
		}
		return neffos.DefaultIDGenerator(w, r)
	}
	srv.OnConnect = func(c *neffos.Conn) error {
		q := request(c).URL.Query()
		if verbose {
			log.Printf("CONNECT %s query=%q", c.ID(), request(c).URL.RawQuery)
		}
		if q.Get("reject") == "1" {
			return errors.New("rejected by server")
		}
		if q.Get("force") == "1" {
			go func() {
				if !waitAckWritten(c, 10*time.Second) {
					return
				}
				ctx, cancel := ctx5()
				defer cancel()
				ns, err := calm.Conn(c).Connect(ctx, "forced")
				if err != nil {
					if verbose {
						log.Printf("forced connect of %s failed: %v", c.ID(), err)
					}
					return
				}
				ns.Emit("welcome", []byte("hello from forced"))
			}()
		}
		return nil
	}
	srv.OnDisconnect = func(c *neffos.Conn) {
		if verbose {
			log.Printf("DISCONNECT %s", c.ID())
		}
	}
	return srv
}

func newNativeServer() *neffos.Server {
	upgrader := gorilla.Upgrader(gorillaws.Upgrader{CheckOrigin: func(*http.Request) bool { return true }})
	return neffos.New(upgrader, neffos.Events{neffos.OnNativeMessage: nativeEcho})
}

func wsHandler(s *neffos.Server) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { s.Upgrade(w, r, wrapSocket, nil) }
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (host defaults to 127.0.0.1; port 0 = pick a free port)")
	flag.BoolVar(&verbose, "verbose", false, "log every frame in/out to stderr")
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

	echo, native := newEchoServer(), newNativeServer()
	mux := http.NewServeMux()
	mux.Handle("/echo", wsHandler(echo))
	mux.Handle("/native", wsHandler(native))
	mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	hs := &http.Server{Handler: mux}

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		<-sigs
		echo.Close()
		native.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}()

	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)
	if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatalf("serve: %v", err)
	}
}
