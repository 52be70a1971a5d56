module neffos-ts/e2e/go

go 1.24

require (
	github.com/gorilla/websocket v1.5.3
	github.com/kataras/neffos v0.0.24
)

require github.com/google/uuid v1.6.0 // indirect
