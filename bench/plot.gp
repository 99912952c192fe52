# plot.gp: the PNG plots of docs/benchmarks.md, drawn from DIR/plotdata/*.dat (made by bench/plot_data.py).
# Usage: gnuplot -e "dir='bench/results'" bench/plot.gp

if (!exists("dir")) dir = "bench/results"
d = dir."/plotdata/"
load d."meta.gp"

set terminal pngcairo size 1500,600 font "DejaVu Sans,12" noenhanced
set datafile commentschars "#"
set grid ytics mytics lc rgb "#dddddd"
set key top left box opaque
set style line 1 lc rgb "#1b9e77" lw 2.5 pt 7 ps 1.1
set style line 2 lc rgb "#d95f02" lw 2 pt 5 ps 1.0
set style line 3 lc rgb "#7570b3" lw 2 pt 9 ps 1.1
set style line 4 lc rgb "#e7298a" lw 2 pt 11 ps 1.1

# ---- cost of one flush+sync pair against ap_list depth, log-log, median with min..max bars ----
set output dir."/depth_cost.png"
set multiplot layout 1,2 title "Cost of one flush+sync pair vs ap_list depth (median of interleaved batches, bars: min..max)"
set logscale xy
set xlabel "interrupts queued on the vCPU (ap_list depth)"
set ylabel "ns per flush+sync pair"
set format y "%.0s%c"
set xrange [0.8:5000]
do for [lrs in "4 16"] {
	set title lrs." list registers"
	f = d."depth_".lrs.".dat"
	# ours last, so that it is drawn on top where the curves meet
	plot f u 1:5:6:7 w yerrorlines ls 2 t "KVM classic", \
	     f u 1:8:9:10 w yerrorlines ls 3 t "KVM 6.19", \
	     f u 1:11:12:13 w yerrorlines ls 4 t "old Xen", \
	     f u 1:2:3:4 w yerrorlines ls 1 t "ours"
}
unset multiplot
unset logscale
unset xrange
set format y "%g"

# ---- register accesses per world switch, per scenario ----
set output dir."/accesses.png"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -20
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set key top left
set multiplot layout 1,2 title "ICH_* register accesses per world switch (one entry and its exit), by scenario"
do for [lrs in "4 16"] {
	set title lrs." list registers"
	set xlabel ""
	set ylabel "register accesses per switch"
	f = d."accesses_".lrs.".dat"
	plot f u 2:xtic(1) ls 1 t "ours", '' u 3 ls 2 t "KVM classic", '' u 4 ls 3 t "KVM 6.19", '' u 5 ls 4 t "old Xen"
}
unset multiplot

# ---- nested virtualisation model: projected cycles per world switch ----
set output dir."/nested.png"
set logscale y
set yrange [*:*]
set offsets 0, 0, 0, 0
set format y "%.0s%c"
set multiplot layout 1,2 title sprintf("Projected cycles per world switch when every ICH_* access traps (%d cycles per trap) plus measured native cost", nested_trap_cycles)
do for [lrs in "4 16"] {
	set title lrs." list registers"
	set ylabel "cycles per switch (log)"
	f = d."nested_".lrs.".dat"
	plot f u 2:xtic(1) ls 1 t "ours", '' u 3 ls 2 t "KVM classic", '' u 4 ls 3 t "KVM 6.19", '' u 5 ls 4 t "old Xen"
}
unset multiplot
