// Command codec generates neffos wire-format conformance cases by running the
// REAL github.com/kataras/neffos encoder (Message.Serialize) and decoder
// (neffos.DeserializeMessage) on seeded random inputs. See ../../README.md.
package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/kataras/neffos"
)

// ---- JSON shapes (the same as test/vectors/*.json, see vectors.go) ----

type Body struct {
	Text *string `json:"text,omitempty"`
	Hex  *string `json:"hex,omitempty"`
}

type Frame struct {
	Type string  `json:"type"` // "text" | "binary"
	Hex  string  `json:"hex"`
	Text *string `json:"text,omitempty"` // present when the bytes are valid UTF-8
}

type SerMsg struct {
	Wait         string  `json:"wait"`
	Namespace    string  `json:"namespace"`
	Room         string  `json:"room"`
	Event        string  `json:"event"`
	Body         *Body   `json:"body"`
	Error        *string `json:"error"`
	ErrorKind    *string `json:"errorKind"`
	IsNoOp       bool    `json:"isNoOp"`
	Binary       bool    `json:"binary"`
	Native       bool    `json:"native"`
	FromExplicit string  `json:"fromExplicit"`
}

type SerCase struct {
	ID      string `json:"id"`
	Message SerMsg `json:"message"`
	Frame   Frame  `json:"frame"`
}

type Options struct {
	AllowNative bool `json:"allowNative"`
	OnlyNative  bool `json:"onlyNative"`
}

type Expect struct {
	Invalid           bool    `json:"invalid"`
	Wait              string  `json:"wait"`
	Namespace         string  `json:"namespace"`
	Room              string  `json:"room"`
	Event             string  `json:"event"`
	Body              Body    `json:"body"`
	Error             *string `json:"error"`
	IsError           bool    `json:"isError"`
	IsNoOp            bool    `json:"isNoOp"`
	Binary            bool    `json:"binary"`
	Native            bool    `json:"native"`
	FromExplicit      string  `json:"fromExplicit"`
	FromStackExchange bool    `json:"fromStackExchange"`
}

type invalidExpect struct {
	Invalid bool `json:"invalid"`
}

type DeCase struct {
	ID      string      `json:"id"`
	Frame   Frame       `json:"frame"`
	Options Options     `json:"options"`
	Expect  interface{} `json:"expect"`
}

// ---- access to unexported Message fields (reflect + unsafe, no copy of neffos code) ----

func field(m *neffos.Message, name string) reflect.Value {
	f := reflect.ValueOf(m).Elem().FieldByName(name)
	if !f.IsValid() {
		panic("neffos.Message has no field " + name)
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
}

func setWait(m *neffos.Message, w string) { field(m, "wait").SetString(w) }
func setNoOp(m *neffos.Message, b bool)   { field(m, "isNoOp").SetBool(b) }

func sp(s string) *string { return &s }

func mkFrame(binary bool, b []byte) Frame {
	f := Frame{Type: "text", Hex: hex.EncodeToString(b)}
	if binary {
		f.Type = "binary"
	}
	if utf8.Valid(b) {
		f.Text = sp(string(b))
	}
	return f
}

func bodyBytes(b *Body) ([]byte, error) {
	switch {
	case b == nil:
		return nil, nil
	case b.Hex != nil:
		return hex.DecodeString(*b.Hex)
	case b.Text != nil:
		return []byte(*b.Text), nil
	}
	return nil, nil
}

// encode builds a real neffos.Message from the JSON description and serialises it.
func encode(sm SerMsg) (Frame, error) {
	var m neffos.Message
	m.Namespace, m.Room, m.Event = sm.Namespace, sm.Room, sm.Event
	body, err := bodyBytes(sm.Body)
	if err != nil {
		return Frame{}, err
	}
	m.Body = body
	if sm.Error != nil {
		kind := "error"
		if sm.ErrorKind != nil {
			kind = *sm.ErrorKind
		}
		if kind == "reply" {
			m.Err = neffos.Reply([]byte(*sm.Error))
		} else {
			m.Err = errors.New(*sm.Error)
		}
	}
	setWait(&m, sm.Wait)
	setNoOp(&m, sm.IsNoOp)
	m.IsNative = sm.Native
	m.SetBinary = sm.Binary
	m.FromExplicit = sm.FromExplicit
	return mkFrame(sm.Binary, m.Serialize()), nil
}

// decode runs the real neffos decoder and reports every observable field.
func decode(f Frame, o Options) (interface{}, error) {
	b, err := hex.DecodeString(f.Hex)
	if err != nil {
		return nil, err
	}
	typ := neffos.MessageType(neffos.TextMessage)
	if f.Type == "binary" {
		typ = neffos.BinaryMessage
	}
	m := neffos.DeserializeMessage(typ, b, o.AllowNative, o.OnlyNative)
	if field(&m, "isInvalid").Bool() {
		return invalidExpect{Invalid: true}, nil
	}
	e := Expect{
		Wait:              field(&m, "wait").String(),
		Namespace:         m.Namespace,
		Room:              m.Room,
		Event:             m.Event,
		IsError:           field(&m, "isError").Bool(),
		IsNoOp:            field(&m, "isNoOp").Bool(),
		Binary:            m.SetBinary,
		Native:            m.IsNative,
		FromExplicit:      m.FromExplicit,
		FromStackExchange: m.FromStackExchange,
	}
	if f.Type == "binary" {
		e.Body.Hex = sp(hex.EncodeToString(m.Body))
	} else {
		e.Body.Text = sp(string(m.Body))
	}
	if m.Err != nil {
		e.Error = sp(m.Err.Error())
	}
	for _, s := range []string{e.Wait, e.Namespace, e.Room, e.Event, e.FromExplicit} {
		if !utf8.ValidString(s) {
			return nil, fmt.Errorf("non-UTF-8 decoded field %q", s)
		}
	}
	if e.Error != nil && !utf8.ValidString(*e.Error) {
		return nil, fmt.Errorf("non-UTF-8 error text")
	}
	return e, nil
}

// ---- random generation ----

type gen struct{ r *rand.Rand }

const token = "@%!semicolon@%!"

var (
	fixedNames = []string{"", "", "default", "chat", "room1", "forced", "ns;1", ";r;oom;", ";", ";;", "χώρος", "δωμάτιο",
		"μήνυμα", "🌍", "emoji😀;x", token, "a" + token + "b", "_OnNamespaceConnect", "_OnRoomJoin", "_OnNativeMessage", "a b",
		"@%!semi", "neffos(0x"}
	runePool   = []rune("abcdefghijklmnopqrstuvwxyzABCXYZ0123456789_-.:/ ;;;@%!$#αβγδεζηθλμξπσωΩ🌍😀🚀中文")
	knownErrs  = []string{"bad namespace", "bad room", "write closed", "invalid payload"}
	errorTexts = []string{"", "boom;with;semis", "bad namespace", "bad room", "write closed", "invalid payload",
		"access denied", "no entry", "something failed", "e;r;r;", "γειά;🌍", token}
	flagPool = []string{"0", "0", "1", "1", "", "true", "11", " 1", "1 ", "yes", "01"}
)

func (g gen) pick(xs []string) string { return xs[g.r.Intn(len(xs))] }

func (g gen) randText(max int) string {
	n := g.r.Intn(max + 1)
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteRune(runePool[g.r.Intn(len(runePool))])
	}
	return sb.String()
}

func (g gen) digits(n int) string {
	var sb strings.Builder
	for i := 0; i < n; i++ {
		sb.WriteByte(byte('0' + g.r.Intn(10)))
	}
	return sb.String()
}

func (g gen) name() string {
	if g.r.Intn(2) == 0 {
		return g.pick(fixedNames)
	}
	return g.randText(12)
}

func (g gen) text() string {
	switch g.r.Intn(6) {
	case 0:
		return ""
	case 1:
		return g.pick([]string{"hello", "a;b;;c;", token, "x" + token + "y", "γειά σου 🌍", `{"a":"hi; there"}`, "PONG"})
	}
	return g.randText(40)
}

func (g gen) randBytes(max int) []byte {
	b := make([]byte, g.r.Intn(max+1))
	for i := range b {
		if g.r.Intn(5) == 0 {
			b[i] = ';'
		} else {
			b[i] = byte(g.r.Intn(256))
		}
	}
	return b
}

func (g gen) wait() string {
	switch g.r.Intn(4) {
	case 0:
		return ""
	case 1:
		return "$" + g.digits(1+g.r.Intn(20))
	case 2:
		return g.digits(1 + g.r.Intn(20))
	}
	return g.pick([]string{"", "$1", "1", "$1795469562928039414", "1795469562928040571"})
}

func (g gen) hexN(n int) string {
	const h = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = h[g.r.Intn(16)]
	}
	return string(b)
}

func (g gen) marker() string {
	id := g.pick([]string{"conn-" + g.digits(1+g.r.Intn(3)), g.hexN(8) + "-" + g.hexN(4) + "-4" + g.hexN(3) + "-a" + g.hexN(3) + "-" + g.hexN(12), "id"})
	return fmt.Sprintf("neffos(0x%s-%s-4%s-a%s-%s(%s0xc000%s))", g.hexN(8), g.hexN(4), g.hexN(3), g.hexN(3), g.hexN(12), id, g.hexN(6))
}

func (g gen) serMsg() SerMsg {
	m := SerMsg{Wait: g.wait(), Namespace: g.name(), Room: g.name(), Event: g.name()}
	if g.r.Intn(3) == 0 {
		m.Room = ""
	}
	m.Binary = g.r.Intn(4) == 0
	switch k := g.r.Intn(10); {
	case k == 0:
		m.Body = nil
	case m.Binary && k < 8:
		m.Body = &Body{Hex: sp(hex.EncodeToString(g.randBytes(24)))}
	default:
		m.Body = &Body{Text: sp(g.text())}
	}
	switch k := g.r.Intn(10); {
	case k < 2:
		m.Error, m.ErrorKind = sp(g.pick(errorTexts)), sp("error")
	case k < 3:
		m.Error, m.ErrorKind = sp(g.pick([]string{"", "PONG", "fine, thanks", "a;b", g.randText(10)})), sp("reply")
	}
	m.IsNoOp = g.r.Intn(10) == 0
	m.Native = g.r.Intn(8) == 0
	if m.Native && g.r.Intn(2) == 0 {
		m.Wait = ""
	}
	if m.Wait == "" && g.r.Intn(8) == 0 {
		m.FromExplicit = g.marker()
	}
	return m
}

// deFrame builds a random frame (text frames are always valid UTF-8).
func (g gen) deFrame() (binary bool, b []byte) {
	binary = g.r.Intn(3) == 0
	switch g.r.Intn(12) {
	case 0: // empty frame
		return binary, []byte{}
	case 1: // no separator at all (native-looking)
		return binary, []byte(g.pick([]string{"just some text", "M", "A", "raw from server", g.randText(20) + "x"}))
	}
	wait := g.wait()
	switch g.r.Intn(8) {
	case 0:
		wait = g.marker()
	case 1:
		wait = g.pick([]string{"1!", "$!", "a!", "!!", "1!7", "R!712345678901234567"}) + g.pick([]string{"", g.digits(18)})
	case 2:
		wait = g.pick([]string{"neffos(0x", "neffos(0xabc(id0xc0001))", "neffos(", "#12"})
	}
	esc := func(s string) string {
		if g.r.Intn(3) > 0 {
			return strings.ReplaceAll(s, ";", token)
		}
		return strings.ReplaceAll(s, ";", "") // raw token in a name survives as-is
	}
	ns, room, ev := esc(g.name()), esc(g.name()), esc(g.name())
	if g.r.Intn(10) == 0 {
		ns, ev = "", "_OnNativeMessage"
	}
	isErr, noOp := g.pick(flagPool), g.pick(flagPool)
	var body []byte
	switch {
	case isErr == "1" && g.r.Intn(2) == 0:
		body = []byte(g.pick(append(knownErrs, errorTexts...)))
	case binary && isErr != "1":
		body = g.randBytes(24)
	default:
		body = []byte(g.text())
	}
	b = bytes.Join([][]byte{[]byte(wait), []byte(ns), []byte(room), []byte(ev), []byte(isErr), []byte(noOp), body}, []byte(";"))
	if g.r.Intn(8) == 0 { // cut to fewer than 6 separators
		keep := g.r.Intn(6)
		idx, n := 0, 0
		for i, c := range b {
			if c == ';' {
				if n == keep {
					idx = i
					break
				}
				n++
			}
		}
		b = b[:idx]
		if g.r.Intn(2) == 0 && len(b) > 0 {
			b = append(b, []byte("tail")...)
		}
	}
	return binary, b
}

func (g gen) options() Options {
	switch g.r.Intn(6) {
	case 0, 1:
		return Options{AllowNative: true}
	case 2:
		return Options{AllowNative: true, OnlyNative: true}
	}
	return Options{}
}

func main() {
	seed := flag.Int64("seed", 1, "RNG seed")
	n := flag.Int("n", 1500, "number of cases per list")
	check := flag.String("check-vectors", "", "directory with serialize.json/deserialize.json: verify them against real neffos and exit")
	write := flag.String("write-vectors", "", "directory with serialize.json/deserialize.json: recompute every frame/expect with real neffos, rewrite the files and exit")
	flag.Parse()
	if *check != "" {
		os.Exit(vectors(*check, false))
	}
	if *write != "" {
		os.Exit(vectors(*write, true))
	}

	g := gen{rand.New(rand.NewSource(*seed))}
	out := struct {
		About       string    `json:"about"`
		Seed        int64     `json:"seed"`
		Serialize   []SerCase `json:"serialize"`
		Deserialize []DeCase  `json:"deserialize"`
	}{About: "Generated by neffos-ts/e2e/go cmd/codec with the real github.com/kataras/neffos v0.0.24 Message.Serialize / DeserializeMessage. Same case shapes as test/vectors.", Seed: *seed}

	for i := 0; i < *n; i++ {
		m := g.serMsg()
		f, err := encode(m)
		if err != nil {
			panic(err)
		}
		if f.Type == "text" && f.Text == nil {
			panic(fmt.Sprintf("generated non-UTF-8 text frame: %+v", m))
		}
		out.Serialize = append(out.Serialize, SerCase{ID: fmt.Sprintf("GS%04d", i+1), Message: m, Frame: f})
	}
	for len(out.Deserialize) < *n {
		binary, b := g.deFrame()
		f := mkFrame(binary, b)
		if !binary && f.Text == nil {
			panic("generated non-UTF-8 text frame")
		}
		o := g.options()
		e, err := decode(f, o)
		if err != nil {
			continue // cannot be represented in JSON strings; skip
		}
		out.Deserialize = append(out.Deserialize, DeCase{ID: fmt.Sprintf("GD%04d", len(out.Deserialize)+1), Frame: f, Options: o, Expect: e})
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
