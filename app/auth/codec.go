package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// jsonCodec encodes session data as JSON. scs's default gob codec builds a
// decoder for every request, which showed as a tenth of a tenant page's
// CPU; our sessions hold a few strings and integers, which JSON keeps
// exactly (numbers are decoded back to int).
type jsonCodec struct{}

type sessionData struct {
	Deadline time.Time      `json:"d"`
	Values   map[string]any `json:"v"`
}

func (jsonCodec) Encode(deadline time.Time, values map[string]any) ([]byte, error) {
	b, err := json.Marshal(sessionData{Deadline: deadline, Values: values})
	if err != nil {
		return nil, fmt.Errorf("auth: encode session: %w", err)
	}
	return b, nil
}

func (jsonCodec) Decode(b []byte) (time.Time, map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var d sessionData
	if err := dec.Decode(&d); err != nil {
		return time.Time{}, nil, fmt.Errorf("auth: decode session: %w", err)
	}
	for k, v := range d.Values {
		if n, ok := v.(json.Number); ok {
			i, err := n.Int64()
			if err != nil {
				return time.Time{}, nil, fmt.Errorf("auth: decode session value %s: %w", k, err)
			}
			d.Values[k] = int(i)
		}
	}
	return d.Deadline, d.Values, nil
}
