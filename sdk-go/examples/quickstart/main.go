// Quickstart: append to a stream, read it back verified, see a stale append refused,
// then SQL with time travel. The same program exists in every SDK's README.
//
//	KIMBERLITE_ADDRESS=127.0.0.1:3000 go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"time"

	kimberlite "github.com/kimberlitedb/kimberlite-go"
)

func main() {
	address := os.Getenv("KIMBERLITE_ADDRESS")
	if address == "" {
		address = "127.0.0.1:3000"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := kimberlite.Connect(ctx, kimberlite.Options{Address: address, TenantID: 1})
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
	fmt.Println("appended 2 events at offset", first)

	read, err := client.ReadVerified(ctx, stream, first, 1<<20)
	if err != nil {
		log.Fatal(err)
	}
	for _, event := range read.Events {
		fmt.Printf("verified %d: %s\n", event.Offset, event.Payload)
	}
	fmt.Println("checked against a signed checkpoint of", read.Checkpoint.Size, "records")

	_, err = client.Append(ctx, stream, [][]byte{[]byte("again")}, kimberlite.Offset(length))
	var refused *kimberlite.Error
	if errors.As(err, &refused) {
		fmt.Println("a stale expected offset is refused:", refused.Name)
	}

	table := "CREATE TABLE IF NOT EXISTS greetings (id BIGINT PRIMARY KEY, word TEXT)"
	if _, err := client.Execute(ctx, table); err != nil {
		log.Fatal(err)
	}
	insert := "INSERT INTO greetings (id, word) VALUES ($1, $2)"
	inserted, err := client.Execute(ctx, insert, int64(first), "hello")
	if err != nil {
		log.Fatal(err)
	}
	update := "UPDATE greetings SET word = $1 WHERE id = $2"
	if _, err := client.Execute(ctx, update, "world", int64(first)); err != nil {
		log.Fatal(err)
	}
	selectWord := "SELECT word FROM greetings WHERE id = $1"
	now, err := client.Query(ctx, selectWord, int64(first))
	if err != nil {
		log.Fatal(err)
	}
	then, err := client.QueryAt(ctx, selectWord, inserted.LogOffset, int64(first))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("row %d: %s now, %s at SQL log position %d\n",
		first, now.Values[0][0], then.Values[0][0], inserted.LogOffset)
}
