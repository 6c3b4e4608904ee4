module github.com/kimberlitedb/kimberlite-go

go 1.23
