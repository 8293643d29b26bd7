;; The engine's own kernels for tfjs's wasm backend, in WebAssembly with 128-bit SIMD, working in place on the
;; backend's memory (imported: every pointer is a byte offset of a tensor there, as the backend's data map holds
;; it). ./simd.ts loads them; `npm run simd` compiles this file into ./simd.generated.ts, twice: for the threaded
;; build's shared memory and the single-threaded build's own (the MEMORY line below is the one that differs).
;;
;; Every kernel computes what its JavaScript counterpart (./kernels.ts, ./adam.ts) computes, to the bit: the same
;; float32 operations in the same order (WebAssembly's float32 arithmetic, vector or scalar, is IEEE's, as is a
;; float64 result of float32 operands rounded once to float32 for +, −, ×, ÷ and √).
(module
  MEMORY

  ;; x' (xo), m' (mo), v' (vo) of Adam for n elements: m' = m·b1 + g·c1, v' = v·b2 + (g·g)·c2,
  ;; x' = ((m'/d1) / (√(v'/d2) + eps))·step + x (./adam.ts names the scalars).
  (func (export "adam")
    (param $x i32) (param $g i32) (param $m i32) (param $v i32) (param $xo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32) (param $d1 f32) (param $d2 f32) (param $eps f32) (param $step f32)
    (local $i i32) (local $end i32) (local $o i32)
    (local $vb1 v128) (local $vc1 v128) (local $vb2 v128) (local $vc2 v128) (local $vd1 v128) (local $vd2 v128) (local $veps v128) (local $vstep v128)
    (local $gv v128) (local $mv v128) (local $vv v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vc1 (f32x4.splat (local.get $c1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vc2 (f32x4.splat (local.get $c2)))
    (local.set $vd1 (f32x4.splat (local.get $d1)))
    (local.set $vd2 (f32x4.splat (local.get $d2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vstep (f32x4.splat (local.get $step)))
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gv (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $mv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $vb1))
            (f32x4.mul (local.get $gv) (local.get $vc1))))
        (local.set $vv
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $vb2))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $vc2))))
        (v128.store (i32.add (local.get $mo) (local.get $o)) (local.get $mv))
        (v128.store (i32.add (local.get $vo) (local.get $o)) (local.get $vv))
        (v128.store (i32.add (local.get $xo) (local.get $o))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mv) (local.get $vd1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vv) (local.get $vd2))) (local.get $veps)))
              (local.get $vstep))
            (v128.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $mo) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $vo) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $xo) (local.get $o))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $d1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $d2))) (local.get $eps)))
              (local.get $step))
            (f32.load (i32.add (local.get $x) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; dx[a] += value where a (an element index) is not negative.
  (func $add_at (param $dx i32) (param $a i32) (param $value f32)
    (local $p i32)
    (if (i32.ge_s (local.get $a) (i32.const 0))
      (then
        (local.set $p (i32.add (local.get $dx) (i32.shl (local.get $a) (i32.const 2))))
        (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $value))))))

  ;; dL/dx of y = maxPool(x), x [batch, h, w, c] (channels last): each window's dy goes to its last largest x
  ;; (rows, then columns; a window of NaN only gets none), summed where windows overlap, windows in order.
  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $dx i32) (param $batch i32) (param $h i32) (param $w i32) (param $c i32)
    (param $oh i32) (param $ow i32) (param $sh i32) (param $sw i32) (param $fh i32) (param $fw i32) (param $top i32) (param $left i32)
    (local $b i32) (local $yr i32) (local $yc i32) (local $r i32) (local $col i32) (local $d i32) (local $cvec i32)
    (local $rmin i32) (local $rmax i32) (local $cmin i32) (local $cmax i32) (local $t i32)
    (local $o i32) (local $base i32) (local $dyp i32)
    (local $best v128) (local $at v128) (local $v v128) (local $mask v128)
    (local $sbest f32) (local $sat i32) (local $sv f32)
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.mul (local.get $batch) (local.get $h)) (local.get $w)) (local.get $c)) (i32.const 2)))
    (local.set $cvec (i32.and (local.get $c) (i32.const -4)))
    (block $batches_done (loop $batches
      (br_if $batches_done (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $yr (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_s (local.get $yr) (local.get $oh)))
        (local.set $t (i32.sub (i32.mul (local.get $yr) (local.get $sh)) (local.get $top)))
        (local.set $rmin (select (local.get $t) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
        (local.set $t (i32.add (local.get $t) (local.get $fh)))
        (local.set $rmax (select (local.get $t) (local.get $h) (i32.lt_s (local.get $t) (local.get $h))))
        (local.set $yc (i32.const 0))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_s (local.get $yc) (local.get $ow)))
          (local.set $t (i32.sub (i32.mul (local.get $yc) (local.get $sw)) (local.get $left)))
          (local.set $cmin (select (local.get $t) (i32.const 0) (i32.gt_s (local.get $t) (i32.const 0))))
          (local.set $t (i32.add (local.get $t) (local.get $fw)))
          (local.set $cmax (select (local.get $t) (local.get $w) (i32.lt_s (local.get $t) (local.get $w))))
          ;; Four channels at a time.
          (local.set $d (i32.const 0))
          (block $vec_done (loop $vec
            (br_if $vec_done (i32.ge_s (local.get $d) (local.get $cvec)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $at (i32x4.splat (i32.const -1)))
            (local.set $r (local.get $rmin))
            (block $wr_done (loop $wr
              (br_if $wr_done (i32.ge_s (local.get $r) (local.get $rmax)))
              (local.set $col (local.get $cmin))
              (block $wc_done (loop $wc
                (br_if $wc_done (i32.ge_s (local.get $col) (local.get $cmax)))
                (local.set $base
                  (i32.add
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $r)) (local.get $w)) (local.get $col)) (local.get $c))
                    (local.get $d)))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
                (local.set $mask (f32x4.ge (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $mask)))
                (local.set $at
                  (v128.bitselect
                    (i32x4.add (i32x4.splat (local.get $base)) (v128.const i32x4 0 1 2 3))
                    (local.get $at) (local.get $mask)))
                (local.set $col (i32.add (local.get $col) (i32.const 1)))
                (br $wc)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $wr)))
            (local.set $dyp (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $d)) (i32.const 2))))
            (call $add_at (local.get $dx) (i32x4.extract_lane 0 (local.get $at)) (f32.load (local.get $dyp)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 1 (local.get $at)) (f32.load offset=4 (local.get $dyp)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 2 (local.get $at)) (f32.load offset=8 (local.get $dyp)))
            (call $add_at (local.get $dx) (i32x4.extract_lane 3 (local.get $at)) (f32.load offset=12 (local.get $dyp)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $vec)))
          ;; The channels left over, one at a time.
          (block $one_done (loop $one
            (br_if $one_done (i32.ge_s (local.get $d) (local.get $c)))
            (local.set $sbest (f32.const -inf))
            (local.set $sat (i32.const -1))
            (local.set $r (local.get $rmin))
            (block $sr_done (loop $sr
              (br_if $sr_done (i32.ge_s (local.get $r) (local.get $rmax)))
              (local.set $col (local.get $cmin))
              (block $sc_done (loop $sc
                (br_if $sc_done (i32.ge_s (local.get $col) (local.get $cmax)))
                (local.set $base
                  (i32.add
                    (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $r)) (local.get $w)) (local.get $col)) (local.get $c))
                    (local.get $d)))
                (local.set $sv (f32.load (i32.add (local.get $x) (i32.shl (local.get $base) (i32.const 2)))))
                (if (f32.ge (local.get $sv) (local.get $sbest))
                  (then (local.set $sbest (local.get $sv)) (local.set $sat (local.get $base))))
                (local.set $col (i32.add (local.get $col) (i32.const 1)))
                (br $sc)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $sr)))
            (call $add_at (local.get $dx) (local.get $sat)
              (f32.load (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $d)) (i32.const 2)))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $one)))
          (local.set $o (i32.add (local.get $o) (local.get $c)))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $cols)))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $rows)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $batches))))

  ;; The patches of x [n, h, w, cin] a convolution's kernel taps see, one row per tap and channel:
  ;; out[(i·kw + j)·cin + c][(b·ho + y)·wo + x] = x[b, y·s + i − top, x·s + j − left, c], 0 outside x.
  (func (export "patch_rows")
    (param $x i32) (param $out i32) (param $n i32) (param $h i32) (param $w i32) (param $cin i32)
    (param $kh i32) (param $kw i32) (param $s i32) (param $top i32) (param $left i32) (param $ho i32) (param $wo i32)
    (local $i i32) (local $j i32) (local $c i32) (local $b i32) (local $y i32) (local $r i32)
    (local $first i32) (local $end i32) (local $t i32) (local $o i32) (local $src i32) (local $col i32) (local $step i32)
    (local.set $step (i32.mul (local.get $s) (local.get $cin)))
    ;; o: the output element at the start of the current row of wo.
    (block $taps_i_done (loop $taps_i
      (br_if $taps_i_done (i32.ge_s (local.get $i) (local.get $kh)))
      (local.set $j (i32.const 0))
      (block $taps_j_done (loop $taps_j
        (br_if $taps_j_done (i32.ge_s (local.get $j) (local.get $kw)))
        ;; first = clamp(ceil((left − j) / s), 0, wo); end = max(first, min(wo, floor((w − 1 − j + left) / s) + 1)).
        (local.set $t (i32.sub (local.get $left) (local.get $j)))
        (local.set $first
          (select (i32.div_s (i32.sub (i32.add (local.get $t) (local.get $s)) (i32.const 1)) (local.get $s)) (i32.const 0)
            (i32.gt_s (local.get $t) (i32.const 0))))
        (local.set $first (select (local.get $first) (local.get $wo) (i32.lt_s (local.get $first) (local.get $wo))))
        (local.set $t (i32.add (i32.sub (i32.sub (local.get $w) (i32.const 1)) (local.get $j)) (local.get $left)))
        (local.set $end
          (select (i32.add (i32.div_s (local.get $t) (local.get $s)) (i32.const 1)) (i32.const 0)
            (i32.ge_s (local.get $t) (i32.const 0))))
        (local.set $end (select (local.get $end) (local.get $wo) (i32.lt_s (local.get $end) (local.get $wo))))
        (local.set $end (select (local.get $end) (local.get $first) (i32.gt_s (local.get $end) (local.get $first))))
        (local.set $c (i32.const 0))
        (block $chans_done (loop $chans
          (br_if $chans_done (i32.ge_s (local.get $c) (local.get $cin)))
          (local.set $b (i32.const 0))
          (block $imgs_done (loop $imgs
            (br_if $imgs_done (i32.ge_s (local.get $b) (local.get $n)))
            (local.set $y (i32.const 0))
            (block $ys_done (loop $ys
              (br_if $ys_done (i32.ge_s (local.get $y) (local.get $ho)))
              (local.set $r (i32.sub (i32.add (i32.mul (local.get $y) (local.get $s)) (local.get $i)) (local.get $top)))
              (if (i32.or (i32.lt_s (local.get $r) (i32.const 0)) (i32.ge_s (local.get $r) (local.get $h)))
                (then
                  (memory.fill (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (i32.const 0)
                    (i32.shl (local.get $wo) (i32.const 2))))
                (else
                  (memory.fill (i32.add (local.get $out) (i32.shl (local.get $o) (i32.const 2))) (i32.const 0)
                    (i32.shl (local.get $first) (i32.const 2)))
                  (local.set $src
                    (i32.add
                      (i32.mul
                        (i32.sub
                          (i32.add
                            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $h)) (local.get $r)) (local.get $w))
                            (i32.mul (local.get $first) (local.get $s)))
                          (i32.sub (local.get $left) (local.get $j)))
                        (local.get $cin))
                      (local.get $c)))
                  ;; (A copy of nothing may start outside memory: src is only meaningful where end > first.)
                  (if (i32.and (i32.eq (local.get $step) (i32.const 1)) (i32.gt_s (local.get $end) (local.get $first)))
                    (then
                      (memory.copy
                        (i32.add (local.get $out) (i32.shl (i32.add (local.get $o) (local.get $first)) (i32.const 2)))
                        (i32.add (local.get $x) (i32.shl (local.get $src) (i32.const 2)))
                        (i32.shl (i32.sub (local.get $end) (local.get $first)) (i32.const 2))))
                    (else
                      (local.set $col (i32.add (local.get $o) (local.get $first)))
                      (block $copy_done (loop $copy
                        (br_if $copy_done (i32.ge_s (local.get $col) (i32.add (local.get $o) (local.get $end))))
                        (f32.store (i32.add (local.get $out) (i32.shl (local.get $col) (i32.const 2)))
                          (f32.load (i32.add (local.get $x) (i32.shl (local.get $src) (i32.const 2)))))
                        (local.set $src (i32.add (local.get $src) (local.get $step)))
                        (local.set $col (i32.add (local.get $col) (i32.const 1)))
                        (br $copy)))))
                  (memory.fill (i32.add (local.get $out) (i32.shl (i32.add (local.get $o) (local.get $end)) (i32.const 2))) (i32.const 0)
                    (i32.shl (i32.sub (local.get $wo) (local.get $end)) (i32.const 2)))))
              (local.set $o (i32.add (local.get $o) (local.get $wo)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br $ys)))
            (local.set $b (i32.add (local.get $b) (i32.const 1)))
            (br $imgs)))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $chans)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $taps_j)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $taps_i))))

  ;; out[c] = Σ_r x[r][c] for x [rows, cols], rows in order (the sum over a tensor's leading axes: a bias's
  ;; gradient), four columns at a time.
  (func (export "column_sums") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $cvec i32) (local $row i32) (local $p i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $cvec (i32.and (local.get $cols) (i32.const -4)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
      (local.set $c (i32.const 0))
      (block $vec_done (loop $vec
        (br_if $vec_done (i32.ge_s (local.get $c) (local.get $cvec)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
        (v128.store (local.get $p)
          (f32x4.add (v128.load (local.get $p)) (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $vec)))
      (block $one_done (loop $one
        (br_if $one_done (i32.ge_s (local.get $c) (local.get $cols)))
        (local.set $p (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
        (f32.store (local.get $p)
          (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $one)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; ReLU's gradient, n elements: out = dy · step(x) (x > 0: 1, NaN: NaN, else 0).
  (func (export "relu_grad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end i32) (local $o i32) (local $xv v128) (local $xs f32)
    (local.set $end (i32.and (local.get $n) (i32.const -4)))
    (block $vectors_done
      (loop $vectors
        (br_if $vectors_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $xv (v128.load (i32.add (local.get $x) (local.get $o))))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (f32x4.mul
            (v128.load (i32.add (local.get $dy) (local.get $o)))
            (v128.bitselect
              (v128.const f32x4 nan nan nan nan)
              (v128.bitselect (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0) (f32x4.gt (local.get $xv) (v128.const f32x4 0 0 0 0)))
              (f32x4.ne (local.get $xv) (local.get $xv)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $vectors)))
    (block $tail_done
      (loop $tail
        (br_if $tail_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $xs (f32.load (i32.add (local.get $x) (local.get $o))))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (f32.mul
            (f32.load (i32.add (local.get $dy) (local.get $o)))
            (select (f32.const 1)
              (select (f32.const nan) (f32.const 0) (f32.ne (local.get $xs) (local.get $xs)))
              (f32.gt (local.get $xs) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail)))))
