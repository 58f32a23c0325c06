/** A terminal progress bar: redrawn in place on a TTY, one line per new label otherwise (CI logs). */
export class ProgressBar {
  private lastLabel: string | null = null;
  private readonly tty = process.stdout.isTTY;

  draw(percent: number, label: string): void {
    const width = 30;
    const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * width);
    const line = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(Math.round(percent)).padStart(3)}% ${label}`;
    if (this.tty) process.stdout.write(`\r${line.padEnd(70)}`);
    else if (label !== this.lastLabel) process.stdout.write(`${line}\n`);
    this.lastLabel = label;
  }

  end(): void {
    if (this.tty) process.stdout.write('\n');
  }
}
