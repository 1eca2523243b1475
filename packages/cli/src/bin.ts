#!/usr/bin/env node
import { disableOnnxRuntimeTelemetry } from '@accel/core';
import { main } from './main.js';

// Before anything loads onnxruntime-node (the bench's raw sessions run on this thread): long
// arguments would otherwise crash it, see disableOnnxRuntimeTelemetry.
disableOnnxRuntimeTelemetry();

process.exitCode = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  write: (text) => process.stdout.write(text),
});
