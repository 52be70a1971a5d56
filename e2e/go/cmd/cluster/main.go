// Command cluster runs a real Go neffos (v0.0.24, gorilla) server scaled out with neffos's own
// stackexchange/redis or stackexchange/nats: the Go side of the neffos-ts mixed-cluster tests
// (test/scale) and of the cluster benchmark (bench/cluster.ts).
//
//	cluster -addr 127.0.0.1:0 -redis 127.0.0.1:6379 -prefix MyChatApp
//	cluster -addr 127.0.0.1:0 -nats nats://127.0.0.1:4222 -prefix neffos
//
// Namespace "default" (mirrors test/scale/harness.ts clusterNamespaces):
//   - chat:    Broadcast(nsConn, {default, msg.Room, chat, body})  (sender excluded)
//   - chatAll: Broadcast(nil, {default, msg.Room, chatAll, body})
//   - whoami:  Reply(conn id)
//   - toId:    body "<id>|<text>": Broadcast(nil, {default, direct, To: id, text})
//   - askId:   body "<id>": Server().Ask(3 s, {default, question, To: id}); emits askResult "ok:<body>" or "err:<error>"
//
// The connection id is the ?id= query parameter when present (several connections may share one).
// Prints exactly one stdout line "READY <port>"; logs go to stderr; exits 0 on SIGTERM/SIGINT.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/google/uuid"
	"github.com/kataras/neffos"
	"github.com/kataras/neffos/gorilla"
	"github.com/kataras/neffos/stackexchange/nats"
	"github.com/kataras/neffos/stackexchange/redis"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (host defaults to 127.0.0.1)")
	redisAddr := flag.String("redis", "", "redis address host:port (stackexchange/redis)")
	natsURL := flag.String("nats", "", "nats url (stackexchange/nats)")
	prefix := flag.String("prefix", "neffos", "redis channel prefix / nats subject prefix")
	flag.Parse()
	log.SetOutput(os.Stderr)

	var srv *neffos.Server
	events := neffos.Namespaces{
		"default": neffos.Events{
			"chat": func(c *neffos.NSConn, msg neffos.Message) error {
				c.Conn.Server().Broadcast(c, neffos.Message{Namespace: "default", Room: msg.Room, Event: "chat", Body: msg.Body})
				return nil
			},
			"chatAll": func(c *neffos.NSConn, msg neffos.Message) error {
				c.Conn.Server().Broadcast(nil, neffos.Message{Namespace: "default", Room: msg.Room, Event: "chatAll", Body: msg.Body})
				return nil
			},
			"whoami": func(c *neffos.NSConn, msg neffos.Message) error {
				return neffos.Reply([]byte(c.Conn.ID()))
			},
			"toId": func(c *neffos.NSConn, msg neffos.Message) error {
				parts := strings.SplitN(string(msg.Body), "|", 2)
				if len(parts) != 2 {
					return fmt.Errorf("toId: body must be <id>|<text>")
				}
				c.Conn.Server().Broadcast(nil, neffos.Message{Namespace: "default", Event: "direct", To: parts[0], Body: []byte(parts[1])})
				return nil
			},
			"askId": func(c *neffos.NSConn, msg neffos.Message) error {
				to := string(msg.Body)
				go func() {
					ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
					defer cancel()
					res, err := srv.Ask(ctx, neffos.Message{Namespace: "default", Event: "question", To: to, Body: []byte("from go")})
					out := "ok:" + string(res.Body)
					if err != nil {
						out = "err:" + err.Error()
					}
					c.Emit("askResult", []byte(out))
				}()
				return nil
			},
		},
	}
	srv = neffos.New(gorilla.DefaultUpgrader, events)
	srv.IDGenerator = func(w http.ResponseWriter, r *http.Request) string {
		if id := r.URL.Query().Get("id"); id != "" {
			return id
		}
		return uuid.New().String()
	}

	switch {
	case *redisAddr != "":
		exc, err := redis.NewStackExchange(redis.Config{Addr: *redisAddr}, *prefix)
		if err != nil {
			log.Fatalf("redis stackexchange: %v", err)
		}
		if err := srv.UseStackExchange(exc); err != nil {
			log.Fatalf("use redis stackexchange: %v", err)
		}
	case *natsURL != "":
		exc, err := nats.NewStackExchange(*natsURL)
		if err != nil {
			log.Fatalf("nats stackexchange: %v", err)
		}
		exc.SubjectPrefix = *prefix
		if err := srv.UseStackExchange(exc); err != nil {
			log.Fatalf("use nats stackexchange: %v", err)
		}
	default:
		log.Fatal("one of -redis or -nats is required")
	}

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
	mux := http.NewServeMux()
	mux.Handle("/ws", srv)
	hs := &http.Server{Handler: mux}
	go func() {
		if err := hs.Serve(ln); err != nil && err != http.ErrServerClosed {
			log.Fatalf("serve: %v", err)
		}
	}()
	fmt.Printf("READY %d\n", ln.Addr().(*net.TCPAddr).Port)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	<-sig
	srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = hs.Shutdown(ctx)
}
