module github.com/iris-contrib/formBinder

go 1.20
