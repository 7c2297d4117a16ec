def f(:
  x = "\x65" + chr(1
