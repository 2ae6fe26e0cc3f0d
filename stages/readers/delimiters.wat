;; Source of the delimiter classifier in delimiters.ts (issue 7). The bytes there are this file compiled by wabt
;; (`npx tsx scripts/build-delimiters-wasm.ts`); test/readers/delimiters.test.ts checks they still match.
;;
;; classify(src, len, quotes, specials, highs): for every 32 bytes from src (len rounded up to 32; the caller
;; zeroes the padding), one little-endian 32-bit word at quotes (bit b set: byte 32w+b is a double quote), one at
;; specials (bit b set: byte 32w+b is a double quote, a comma, LF or CR) and one at highs (bit b set: byte 32w+b
;; is 0x80 or more, i.e. not ASCII: i8x16.bitmask takes each byte's top bit). 16 bytes are compared at a time.
;;
;; equal(a, b, n): 1 when the n bytes at a and the n bytes at b are the same, else 0; 16 bytes at a time, then one
;; by one. Reads nothing outside the two ranges.
(module
  (memory (export "memory") 1)
  (func (export "classify") (param $src i32) (param $len i32) (param $quotes i32) (param $specials i32) (param $highs i32)
    (local $end i32) (local $a v128) (local $b v128) (local $qa v128) (local $qb v128)
    (local.set $end (i32.add (local.get $src) (local.get $len)))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (local.set $a (v128.load (local.get $src)))
        (local.set $b (v128.load offset=16 (local.get $src)))
        (local.set $qa (i8x16.eq (local.get $a) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34)))
        (local.set $qb (i8x16.eq (local.get $b) (v128.const i8x16 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34 34)))
        (i32.store (local.get $quotes)
          (i32.or (i8x16.bitmask (local.get $qa)) (i32.shl (i8x16.bitmask (local.get $qb)) (i32.const 16))))
        (i32.store (local.get $specials)
          (i32.or
            (i8x16.bitmask (v128.or (v128.or (local.get $qa)
                (i8x16.eq (local.get $a) (v128.const i8x16 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44)))
              (v128.or (i8x16.eq (local.get $a) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                (i8x16.eq (local.get $a) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))))
            (i32.shl
              (i8x16.bitmask (v128.or (v128.or (local.get $qb)
                  (i8x16.eq (local.get $b) (v128.const i8x16 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44 44)))
                (v128.or (i8x16.eq (local.get $b) (v128.const i8x16 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10 10))
                  (i8x16.eq (local.get $b) (v128.const i8x16 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13 13)))))
              (i32.const 16))))
        (i32.store (local.get $highs)
          (i32.or (i8x16.bitmask (local.get $a)) (i32.shl (i8x16.bitmask (local.get $b)) (i32.const 16))))
        (local.set $src (i32.add (local.get $src) (i32.const 32)))
        (local.set $quotes (i32.add (local.get $quotes) (i32.const 4)))
        (local.set $specials (i32.add (local.get $specials) (i32.const 4)))
        (local.set $highs (i32.add (local.get $highs) (i32.const 4)))
        (br $next))))
  (func (export "equal") (param $a i32) (param $b i32) (param $n i32) (result i32)
    (block $differ
      (loop $wide
        (if (i32.ge_u (local.get $n) (i32.const 16))
          (then
            (br_if $differ (i32.eqz (i8x16.all_true (i8x16.eq (v128.load (local.get $a)) (v128.load (local.get $b))))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $b (i32.add (local.get $b) (i32.const 16)))
            (local.set $n (i32.sub (local.get $n) (i32.const 16)))
            (br $wide))))
      (loop $narrow
        (if (local.get $n)
          (then
            (br_if $differ (i32.ne (i32.load8_u (local.get $a)) (i32.load8_u (local.get $b))))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (local.set $n (i32.sub (local.get $n) (i32.const 1)))
            (br $narrow))))
      (return (i32.const 1)))
    (i32.const 0))
)
