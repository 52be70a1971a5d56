package main

// The golden vectors of the repository (test/vectors): each case names its input (a message to
// serialize, or a frame and receiver options to deserialize); the expected output (frame, expect)
// is whatever the real github.com/kataras/neffos code produces for it.
//
//	codec -write-vectors ../../test/vectors   recomputes every output with neffos and rewrites the files
//	codec -check-vectors ../../test/vectors   exits 1 when any stored output differs from neffos's
//
// Fields other than the outputs (id, desc, the neffosjs notes) are kept as they are.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

const vectorsAbout = "Golden vectors of the neffos wire format. Every frame (serialize) and expect (deserialize) is " +
	"produced by the real github.com/kataras/neffos v0.0.24 Message.Serialize / DeserializeMessage, run by " +
	"e2e/go/cmd/codec -write-vectors (npm run vectors). A neffosjs object documents how the neffos.js 0.1.34 client " +
	"differs; it is not an expectation. Never edit an output by hand: regenerate."

type serVector struct {
	ID       string          `json:"id"`
	Desc     string          `json:"desc"`
	Message  SerMsg          `json:"message"`
	Frame    Frame           `json:"frame"`
	NeffosJS json.RawMessage `json:"neffosjs,omitempty"`
}

type deVector struct {
	ID       string          `json:"id"`
	Desc     string          `json:"desc"`
	Frame    Frame           `json:"frame"`
	Options  Options         `json:"options"`
	Expect   json.RawMessage `json:"expect"`
	NeffosJS json.RawMessage `json:"neffosjs,omitempty"`
}

type vectorFile[T any] struct {
	About string `json:"about"`
	Cases []T    `json:"cases"`
}

func loadVectors(path string, dst interface{}) error {
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, dst)
	}
	if err != nil {
		return fmt.Errorf("load %s: %w", path, err)
	}
	return nil
}

func writeVectors(path string, v interface{}) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// compact normalises a JSON value so that two spellings of the same value compare equal.
func compact(raw []byte) string {
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}

// vectors checks (write=false) or rewrites (write=true) dir/serialize.json and dir/deserialize.json.
func vectors(dir string, write bool) int {
	var ser vectorFile[serVector]
	var de vectorFile[deVector]
	serPath, dePath := filepath.Join(dir, "serialize.json"), filepath.Join(dir, "deserialize.json")
	for path, dst := range map[string]interface{}{serPath: &ser, dePath: &de} {
		if err := loadVectors(path, dst); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	fails := 0
	for i := range ser.Cases {
		c := &ser.Cases[i]
		got, err := encode(c.Message)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL %s: neffos cannot encode the input: %v\n", c.ID, err)
			fails++
			continue
		}
		if compactFrame(got) != compactFrame(c.Frame) {
			if !write {
				fmt.Fprintf(os.Stderr, "DRIFT %s: neffos writes %s %s, the vector says %s %s\n", c.ID, got.Type, got.Hex, c.Frame.Type, c.Frame.Hex)
				fails++
			}
			c.Frame = got
		}
	}
	for i := range de.Cases {
		c := &de.Cases[i]
		got, err := decode(c.Frame, c.Options)
		if err != nil {
			fmt.Fprintf(os.Stderr, "FAIL %s: %v\n", c.ID, err)
			fails++
			continue
		}
		raw, _ := json.Marshal(got)
		if compact(raw) != compact(c.Expect) {
			if !write {
				fmt.Fprintf(os.Stderr, "DRIFT %s: neffos decodes %s, the vector says %s\n", c.ID, compact(raw), compact(c.Expect))
				fails++
			}
			c.Expect = raw
		}
	}
	if write && fails == 0 {
		ser.About, de.About = vectorsAbout, vectorsAbout
		for path, v := range map[string]interface{}{serPath: ser, dePath: de} {
			if err := writeVectors(path, v); err != nil {
				fmt.Fprintln(os.Stderr, err)
				return 1
			}
		}
	}
	verb := "check-vectors"
	if write {
		verb = "write-vectors"
	}
	fmt.Fprintf(os.Stderr, "%s: %d serialize + %d deserialize cases, %d failures\n", verb, len(ser.Cases), len(de.Cases), fails)
	if fails > 0 {
		return 1
	}
	return 0
}

func compactFrame(f Frame) string {
	raw, _ := json.Marshal(f)
	return string(raw)
}
