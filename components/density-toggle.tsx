import type { GalleryDensity } from '@/hooks/use-gallery-density';
import styles from './generator.module.css';

const choices: { density: GalleryDensity; label: string }[] = [
  { density: 'compact', label: 'Compact' },
  { density: 'large', label: 'Large' },
];

/** Small or large gallery tiles: two toggle buttons, the chosen one pressed. */
export function DensityToggle({ density, onChange }: { density: GalleryDensity; onChange: (density: GalleryDensity) => void }) {
  return (
    <div className={styles.density} role="group" aria-label="Tile size">
      {choices.map((choice) => (
        <button
          key={choice.density}
          type="button"
          className={styles.densityButton}
          aria-pressed={density === choice.density}
          onClick={() => onChange(choice.density)}
          data-testid={`density-${choice.density}`}
        >
          {choice.label}
        </button>
      ))}
    </div>
  );
}
