package oktasim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
)

// registerOrgControlRoutes serves the resource part of the control API:
//
//	GET    /_sim/groundtruth                     the GroundTruth as JSON
//	POST   /_sim/resources/{type}                create (body: fields to set, plus the
//	                                             parent/ref ids relations need)
//	GET    /_sim/resources/{type}/{id}           the object as the API renders it
//	PATCH  /_sim/resources/{type}/{id}           JSON merge patch (PUT is the same)
//	DELETE /_sim/resources/{type}/{id}           delete (users: deactivate first)
//
// {type} is a data-contract resource type; relations use their composite
// id ("<appId>/<userId>"). Every change bumps lastUpdated and emits the
// matching System Log event. Errors are 400/404 {"error": "..."} naming
// the field.
func (s *Server) registerOrgControlRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /_sim/groundtruth", s.handleGroundTruth)
	mux.HandleFunc("POST /_sim/resources/{type}", s.handleControlCreate)
	mux.HandleFunc("GET /_sim/resources/{type}/{id...}", s.handleControlGet)
	mux.HandleFunc("PATCH /_sim/resources/{type}/{id...}", s.handleControlUpdate)
	mux.HandleFunc("PUT /_sim/resources/{type}/{id...}", s.handleControlUpdate)
	mux.HandleFunc("DELETE /_sim/resources/{type}/{id...}", s.handleControlDelete)
}

// orgCtlError is a control-API failure with its HTTP status.
type orgCtlError struct {
	status int
	msg    string
}

func (e *orgCtlError) Error() string { return e.msg }

func orgBadRequest(format string, a ...any) error {
	return &orgCtlError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, a...)}
}

func orgCtlNotFound(format string, a ...any) error {
	return &orgCtlError{status: http.StatusNotFound, msg: fmt.Sprintf(format, a...)}
}

func orgWriteCtlError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	var ce *orgCtlError
	if errors.As(err, &ce) {
		status = ce.status
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func orgKnownType(typ string) error {
	if !slices.Contains(resourceTypes, typ) {
		return orgBadRequest("type: unknown resource type %q (one of %s)", typ, strings.Join(resourceTypes, ", "))
	}
	return nil
}

func orgReadBody(r *http.Request) (map[string]any, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, orgBadRequest("body: %v", err)
	}
	m := map[string]any{}
	if len(bytes.TrimSpace(b)) == 0 {
		return m, nil
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, orgBadRequest("body: not a JSON object: %v", err)
	}
	return m, nil
}

// orgCtlResult is what a mutation hands back to the handler, which
// writes it and emits the events after the store's lock is released (the
// log store samples the org while emitting).
type orgCtlResult struct {
	status int
	typ    string
	obj    *orgObj // nil after a delete
	body   []byte
	events []EventSpec
}

func (s *Server) orgFinish(w http.ResponseWriter, r *http.Request, res orgCtlResult, err error) {
	if err != nil {
		orgWriteCtlError(w, err)
		return
	}
	for _, ev := range res.events {
		s.logs.Emit(ev)
	}
	if res.body == nil {
		w.WriteHeader(res.status)
		return
	}
	orgWriteBody(w, r, res.status, res.body)
}

func (s *Server) handleControlCreate(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("type")
	if err := orgKnownType(typ); err != nil {
		orgWriteCtlError(w, err)
		return
	}
	body, err := orgReadBody(r)
	if err != nil {
		orgWriteCtlError(w, err)
		return
	}
	res, err := s.org.create(typ, body)
	s.orgFinish(w, r, res, err)
}

func (s *Server) handleControlGet(w http.ResponseWriter, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := orgKnownType(typ); err != nil {
		orgWriteCtlError(w, err)
		return
	}
	o := s.org
	o.mu.RLock()
	obj := o.cols[typ].byID[id]
	var body []byte
	if obj != nil {
		body = o.renderJSON(typ, obj)
	}
	o.mu.RUnlock()
	if obj == nil {
		orgWriteCtlError(w, orgCtlNotFound("id: no %s with id %q", typ, id))
		return
	}
	orgWriteBody(w, r, http.StatusOK, body)
}

func (s *Server) handleControlUpdate(w http.ResponseWriter, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := orgKnownType(typ); err != nil {
		orgWriteCtlError(w, err)
		return
	}
	body, err := orgReadBody(r)
	if err != nil {
		orgWriteCtlError(w, err)
		return
	}
	res, err := s.org.update(typ, id, body)
	s.orgFinish(w, r, res, err)
}

func (s *Server) handleControlDelete(w http.ResponseWriter, r *http.Request) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := orgKnownType(typ); err != nil {
		orgWriteCtlError(w, err)
		return
	}
	res, err := s.org.remove(typ, id)
	s.orgFinish(w, r, res, err)
}

// ctlGen is a generator for control-API creations: fresh ids from its own
// rng, timestamps at the mutation time (callers hold mu).
func (o *orgStore) ctlGen() *orgGen {
	if o.ctlRng == nil {
		o.ctlRng = rand.New(rand.NewPCG(uint64(o.opts.Seed)+1, 0x63746c))
	}
	now := o.nowMs()
	var types []string
	for _, t := range o.cols[typeUserType].items {
		types = append(types, t.id)
	}
	g := &orgGen{rng: o.ctlRng, now: now, engine: o.opts.Engine, orgID: o.orgID, userTypeIDs: types}
	if len(types) == 0 {
		g.userTypeIDs = []string{"oty" + o.orgID[3:]}
	}
	for _, grp := range o.cols[typeGroup].items {
		if grp.kind == "BUILT_IN" {
			g.everyoneID = grp.id
		}
	}
	return g
}

// str returns body[key] as a string ("" when absent or not a string).
func orgStr(body map[string]any, key string) string {
	s, _ := body[key].(string)
	return s
}

func (o *orgStore) need(body map[string]any, key, typ string) (*orgObj, error) {
	id := orgStr(body, key)
	if id == "" {
		return nil, orgBadRequest("%s: required", key)
	}
	obj := o.cols[typ].byID[id]
	if obj == nil {
		return nil, orgCtlNotFound("%s: no %s with id %q", key, typ, id)
	}
	return obj, nil
}
