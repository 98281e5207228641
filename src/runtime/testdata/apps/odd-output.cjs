// Writes a 1 MB line, then bytes that are not UTF-8, then a normal line, and exits.
process.stdout.write(`${"x".repeat(1024 * 1024)}\n`);
process.stdout.write(Buffer.from([0x62, 0x69, 0x6e, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0x0a]));
process.stdout.write("done\n");
