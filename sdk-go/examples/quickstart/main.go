// Quickstart: connect, create a stream, append, read, read verified, and run SQL.
//
//	go run ./examples/quickstart 127.0.0.1:5432
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	kimberlite "github.com/kimberlitedb/kimberlite-go"
)

func main() {
	address := "127.0.0.1:5432"
	if len(os.Args) > 1 {
		address = os.Args[1]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	client, err := kimberlite.Connect(ctx, kimberlite.Options{
		Address:   address,
		TenantID:  1,
		AuthToken: os.Getenv("KIMBERLITE_TOKEN"),
	})
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	fmt.Println("connected to", address)

	stream, err := client.CreateStream(ctx, "quickstart", kimberlite.Public, "")
	if err != nil {
		log.Fatal(err)
	}
	length, err := client.StreamLength(ctx, stream)
	if err != nil {
		log.Fatal(err)
	}
	events := [][]byte{[]byte("hello"), []byte("world")}
	first, err := client.Append(ctx, stream, events, kimberlite.Offset(length))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("appended 2 events at offset %d of stream %d\n", first, stream)

	read, err := client.Read(ctx, stream, first, 1024)
	if err != nil {
		log.Fatal(err)
	}
	for _, event := range read.Events {
		fmt.Printf("read %d: %s\n", event.Offset, event.Payload)
	}

	verified, err := client.ReadVerified(ctx, stream, 0, 1<<20)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("verified %d events against a checkpoint of %d records\n",
		len(verified.Events), verified.Checkpoint.Size)

	if _, err := client.Execute(ctx, "CREATE TABLE IF NOT EXISTS quickstart (id BIGINT, name TEXT)"); err != nil {
		fmt.Println("SQL did not run here:", err)
		return
	}
	done, err := client.Execute(ctx, "INSERT INTO quickstart (id, name) VALUES ($1, $2)", 1, "Alice")
	if err != nil {
		log.Fatal(err)
	}
	rows, err := client.Query(ctx, "SELECT id, name FROM quickstart")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d rows; insert at SQL log position %d\n", len(rows.Values), done.LogOffset)
}
