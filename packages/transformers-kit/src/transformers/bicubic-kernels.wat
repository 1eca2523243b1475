;; The two inner loops of `createBicubicResizer` (bicubic-resize.ts) in WebAssembly SIMD, with the
;; same integer arithmetic as its JavaScript loops, so their results are the same bytes:
;;   horizontal: for each output column, (c0·p0 + c1·p1 + c2·p2 + c3·p3 + 2048) >> 12 per channel,
;;               over the 4 consecutive RGB pixels starting at the column's tap;
;;   vertical:   for each value of a row, (c0·r0 + c1·r1 + c2·r2 + c3·r3 + 2048) >> 12, clamped to
;;               0 – 255 as a Uint8ClampedArray store clamps it.
;; Coefficients are libvips's, at most 4096 in magnitude (they fit in i16), pixels are bytes, so
;; every product and sum fits in i32 exactly, as it does in JavaScript's doubles.
;; The compiled bytes are in bicubic-kernels-wasm.ts: `npm run build:wasm -w @accel/transformers-kit`
;; writes them, and a test checks that they are this file's.
(module
  (memory (export "memory") 1)

  ;; For `columns` output columns: `taps` holds each column's byte offset into `line` (i32), and
  ;; `weights` its 4 coefficients twice as i16 [c0 c1 c2 c3 c0 c1 c2 c3] (16 bytes a column).
  ;; Writes 3 i32 per column at `result` (and 4 bytes of scratch after the last: keep 16 bytes of
  ;; room after the row). Reads 16 bytes from each tap: keep 4 bytes of room after `line`'s end.
  (func (export "horizontal") (param $line i32) (param $taps i32) (param $weights i32) (param $columns i32) (param $result i32)
    (local $end i32) (local $pixels v128) (local $coefficients v128) (local $low v128) (local $high v128)
    (local.set $end (i32.add (local.get $taps) (i32.shl (local.get $columns) (i32.const 2))))
    (block $done
      (loop $column
        (br_if $done (i32.ge_u (local.get $taps) (local.get $end)))
        ;; [R0 R1 R2 R3 G0 G1 G2 G3 B0 B1 B2 B3 . . . .] from [R0 G0 B0 R1 G1 B1 R2 G2 B2 R3 G3 B3 . . . .]
        (local.set $pixels
          (i8x16.shuffle 0 3 6 9 1 4 7 10 2 5 8 11 12 12 12 12
            (v128.load (i32.add (local.get $line) (i32.load (local.get $taps))))
            (v128.const i32x4 0 0 0 0)))
        (local.set $coefficients (v128.load (local.get $weights)))
        ;; [R0c0 + R1c1, R2c2 + R3c3, G0c0 + G1c1, G2c2 + G3c3] and [B0c0 + B1c1, B2c2 + B3c3, ., .]
        (local.set $low (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_u (local.get $pixels)) (local.get $coefficients)))
        (local.set $high (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_u (local.get $pixels)) (local.get $coefficients)))
        (v128.store (local.get $result)
          (i32x4.shr_s
            (i32x4.add
              (i32x4.add
                (i8x16.shuffle 0 1 2 3 8 9 10 11 16 17 18 19 16 17 18 19 (local.get $low) (local.get $high))
                (i8x16.shuffle 4 5 6 7 12 13 14 15 20 21 22 23 20 21 22 23 (local.get $low) (local.get $high)))
              (v128.const i32x4 2048 2048 2048 2048))
            (i32.const 12)))
        (local.set $taps (i32.add (local.get $taps) (i32.const 4)))
        (local.set $weights (i32.add (local.get $weights) (i32.const 16)))
        (local.set $result (i32.add (local.get $result) (i32.const 12)))
        (br $column))))

  ;; Combines 4 rows of `length` i32 sums into `length` bytes at `out`, 8 at a time: keep 32 bytes
  ;; of room after each row and 8 after `out`'s `length` bytes.
  (func (export "vertical")
    (param $r0 i32) (param $r1 i32) (param $r2 i32) (param $r3 i32)
    (param $c0 i32) (param $c1 i32) (param $c2 i32) (param $c3 i32)
    (param $out i32) (param $length i32)
    (local $k0 v128) (local $k1 v128) (local $k2 v128) (local $k3 v128) (local $end i32) (local $at i32)
    (local.set $k0 (i32x4.splat (local.get $c0)))
    (local.set $k1 (i32x4.splat (local.get $c1)))
    (local.set $k2 (i32x4.splat (local.get $c2)))
    (local.set $k3 (i32x4.splat (local.get $c3)))
    (local.set $end (i32.add (local.get $out) (local.get $length)))
    (block $done
      (loop $eight
        (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
        (i64.store (local.get $out)
          (i64x2.extract_lane 0
            (i8x16.narrow_i16x8_u
              (i16x8.narrow_i32x4_s
                (i32x4.shr_s
                  (i32x4.add
                    (i32x4.add
                      (i32x4.add (i32x4.mul (local.get $k0) (v128.load (local.get $r0))) (i32x4.mul (local.get $k1) (v128.load (local.get $r1))))
                      (i32x4.add (i32x4.mul (local.get $k2) (v128.load (local.get $r2))) (i32x4.mul (local.get $k3) (v128.load (local.get $r3)))))
                    (v128.const i32x4 2048 2048 2048 2048))
                  (i32.const 12))
                (i32x4.shr_s
                  (i32x4.add
                    (i32x4.add
                      (i32x4.add (i32x4.mul (local.get $k0) (v128.load offset=16 (local.get $r0))) (i32x4.mul (local.get $k1) (v128.load offset=16 (local.get $r1))))
                      (i32x4.add (i32x4.mul (local.get $k2) (v128.load offset=16 (local.get $r2))) (i32x4.mul (local.get $k3) (v128.load offset=16 (local.get $r3)))))
                    (v128.const i32x4 2048 2048 2048 2048))
                  (i32.const 12)))
              (v128.const i32x4 0 0 0 0))))
        (local.set $r0 (i32.add (local.get $r0) (i32.const 32)))
        (local.set $r1 (i32.add (local.get $r1) (i32.const 32)))
        (local.set $r2 (i32.add (local.get $r2) (i32.const 32)))
        (local.set $r3 (i32.add (local.get $r3) (i32.const 32)))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (br $eight)))))
